import { runSendCommand } from '../local/send-command.js';

process.exitCode = await runSendCommand(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
