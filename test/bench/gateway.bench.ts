/**
 * Gateway: POST /api/v1/jobs through the real gateway beside a bare fastify route + XADD.
 *
 *   npm run bench:gateway [-- --connections 100 --seconds 20]     (needs autocannon 9.0.0)
 */
import { intArg } from './bench-utils.js';
import { printGateway, runGateway } from './gateway-run.js';

const o = { connections: intArg('connections', 100), seconds: intArg('seconds', 20) };
console.log(`gateway benchmark: ${o.connections} connections, ${o.seconds} s per contender`);
printGateway(o, await runGateway(o));
process.exit(0);
