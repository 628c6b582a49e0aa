import type { Command } from 'commander';
import type { Io } from '../io.js';
import type { Handler } from '../program.js';

export function registerEmulator(program: Command, io: Io, defer: (h: Handler) => void): void {
  void program;
  void io;
  void defer;
}
