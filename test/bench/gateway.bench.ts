/**
 * Gateway: POST /api/v1/jobs through the real gateway beside a bare fastify route + XADD.
 *
 *   npm run bench:gateway [-- --connections 100 --seconds 10 --rounds 3 --idle-seconds 20]
 */
import { intArg } from './bench-utils.js';
import { printGateway, runGateway } from './gateway-run.js';

const o = {
  connections: intArg('connections', 100),
  seconds: intArg('seconds', 10),
  rounds: intArg('rounds', 3),
  idleSeconds: intArg('idle-seconds', 20),
};
console.log(
  `gateway benchmark: ${o.connections} connections, ${o.seconds} s per contender, ${o.rounds} rounds; the gateway's memory after ` +
    `${o.idleSeconds} s idle and under the load`,
);
printGateway(o, await runGateway(o));
process.exit(0);
