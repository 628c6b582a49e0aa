/** Asking a person to approve an apply, Terraform-style: only the word `yes` approves. */
import { createInterface } from 'node:readline';
import type { Io } from './io.js';

export function canAsk(io: Io): boolean {
  return io.stdin.isTTY === true;
}

export async function askApproval(io: Io): Promise<boolean> {
  io.stderr.write('\nDo you want to perform these actions?\n  Only \'yes\' will be accepted to approve.\n\n  Enter a value: ');
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
      io.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    return answer?.trim() === 'yes';
  } finally {
    rl.close();
  }
}
