/** The root program under mocks with offline stand-ins: the local base image, and no preflight unless asked. */
import { ProgramRun, runProgram as run } from "../../plan/program";
import { BASE_IMAGE } from "./docker";

export { recorder } from "../../plan/program";

export function runProgram(
    stack: string,
    overrides: Record<string, string> = {},
): Promise<ProgramRun> {
    return run(stack, {
        "lambda-docker:baseImage": BASE_IMAGE,
        "lambda-docker:preflight": "false",
        ...overrides,
    });
}
