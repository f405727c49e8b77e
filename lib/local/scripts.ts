/** The Python that runs inside containers (lib/local/python/*.py), as one `python3 -c` program: no file needs to reach the daemon. */
import * as fs from "fs";
import * as path from "path";
import { packageRoot } from "../commandLine";

const cache = new Map<string, string>();

function source(name: string): string {
    let text = cache.get(name);
    if (text === undefined) {
        text = fs.readFileSync(
            path.join(packageRoot(), "lib", "local", "python", `${name}.py`),
            "utf8",
        );
        cache.set(name, text);
    }
    return text;
}

/**
 * `main` with the modules it imports defined first, each compiled under `<lambda-docker>/<name>.py` so
 * that tracebacks name them and the runtime can leave its own frames out of a user's stack trace.
 * JSON string literals are valid Python string literals.
 */
export function pythonProgram(main: "bootstrap" | "serve_loop" | "check_handlers"): string {
    const modules = ["lambda_layers", ...(main === "check_handlers" ? [] : ["lambda_runtime"])];
    return [
        "import sys, types",
        "def _module(name, text):",
        "    module = types.ModuleType(name)",
        "    module.__file__ = '<lambda-docker>/' + name + '.py'",
        "    sys.modules[name] = module",
        "    exec(compile(text, module.__file__, 'exec'), module.__dict__)",
        ...modules.map((m) => `_module(${JSON.stringify(m)}, ${JSON.stringify(source(m))})`),
        `exec(compile(${JSON.stringify(source(main))}, '<lambda-docker>/${main}.py', 'exec'))`,
        "",
    ].join("\n");
}
