/**
 * The campaign service: whatever lambda-docker.yaml declares, deployed with the stage's settings from
 * stacks/Pulumi.<stack>.yaml (see components/service/manifestProgram.ts).
 */
import { manifestProgram } from "./components";

export = manifestProgram;
