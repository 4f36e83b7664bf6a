/**
 * Prints a new sealing key pair: `npm run keys:generate -w @pixsim/credentials [-- <kid>]`.
 * The public line goes to the gateway, the private one to the dispatcher and the poller
 * (and to the escrow that backups rely on); nothing is written to disk.
 */
import { generateSealingKeyPair } from './keys.js';

const pair = generateSealingKeyPair(process.argv[2] ?? 'k1');
process.stdout.write(`PIXSIM_SEALING_PUBLIC_KEY=${pair.publicKey}\nPIXSIM_SEALING_PRIVATE_KEYS=${pair.privateKey}\n`);
