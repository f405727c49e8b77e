/** The import report: one line per Serverless item, and the placeholders left in the output. */

/** What every placeholder starts with; the manifest parser refuses any string that does. */
export const PLACEHOLDER_PREFIX = "TODO(lambda-docker import): ";

export type ReportStatus = "converted" | "not converted" | "placeholder";

/** One line of the import report: a Serverless item (its key path) and what became of it. */
export interface ReportLine {
    readonly item: string;
    readonly status: ReportStatus;
    readonly detail: string;
}

/** A placeholder written into the manifest or the stack file. */
export interface Todo {
    /** Where it is: a manifest key path (`functions.api.environment.TOKEN`) or a stack key (`aws:region`). */
    readonly key: string;
    /** The Serverless expression it stands for. */
    readonly expression: string;
}
