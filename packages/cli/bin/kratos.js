#!/usr/bin/env node
// Published: runs the built CLI. In the workspace, `node --conditions=kratos-source src/bin/kratos.ts` runs the source.
// Written for any Node, so an old one gets one clear line instead of a loader error from the ESM build.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `kratos: needs Node.js >= 22.12 (this is ${process.version}); install Node.js 24 LTS (e.g. nvm install 24) and run it again`,
  );
  process.exit(1);
}
import('../dist/bin/kratos.js');
