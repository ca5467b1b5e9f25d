// zod, as every part of svcroute uses it: without its JIT. zod 4 compiles a parser for each object
// schema with `new Function` on first use; a CLI run parses one manifest and exits, so the
// compiling costs more than it saves (measured the same at 1,000 and 10,000 services, faster on a
// small manifest), and no code is built at run time from strings. Every module that uses zod
// imports this one (for its effect: zod's own namespace import keeps the bundle small).
import { config } from "zod";

config({ jitless: true });
