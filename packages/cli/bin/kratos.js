#!/usr/bin/env node
// Published: runs the built CLI. In the workspace, `node --conditions=kratos-source src/bin/kratos.ts` runs the source.
import('../dist/bin/kratos.js');
