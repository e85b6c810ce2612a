import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printGatewaySchema } from './print-schema';

// `npm run schema:emit`: writes the committed SDL that codegen and the drift test read.
const target = resolve(__dirname, '../../schema/schema.graphql');
writeFileSync(target, printGatewaySchema());
process.stdout.write(`wrote ${target}\n`);
