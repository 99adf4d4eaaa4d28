// Runs the CLI from source (tsx), so CLI tests never run a stale dist/.
import { main } from '../../src/cli/main.js';

await main(process.argv);
