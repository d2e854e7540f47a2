#!/usr/bin/env node
// The built plugin; in this repository run src/bin/grpc.ts with `node --conditions=kratos-source` instead.
import '../dist/bin/grpc.js';
