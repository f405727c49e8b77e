/**
 * The rules of function triggers, shared by the trigger components (components/lambda/triggers.ts) and
 * the manifest parser, so `events` are refused with the same message wherever they are written. Pure.
 */
import * as v from "../validation";
import { HTTP_METHODS, SQS_BATCH } from "./rules";

export type HttpMethod = (typeof HTTP_METHODS)[number];

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+ ){5}\S+\)$/;
const SCHEDULE_ALLOWED =
    '`rate(<n> minute(s)|hour(s)|day(s))` (e.g. "rate(15 minutes)") or `cron(<6 fields>)` (e.g. "cron(0 12 * * ? *)")';

/** An EventBridge schedule expression: `rate(1 hour)`, `rate(15 minutes)` or a six-field `cron(...)`. */
export function validateScheduleExpression(key: string, value: unknown): string {
    if (typeof value === "string") {
        const rate = RATE.exec(value);
        if (rate) {
            const n = Number(rate[1]);
            const singular = !rate[2].endsWith("s");
            if (n >= 1 && singular === (n === 1)) return value;
        } else if (CRON.test(value)) {
            return value;
        }
    }
    return v.fail(key, `${SCHEDULE_ALLOWED}, with a singular unit only for 1`, value);
}

export interface Route {
    /** The route key as API Gateway stores it: `GET /orders/{id}` or `$default`. */
    readonly routeKey: string;
    /** `*` for ANY and `$default`, else the method. */
    readonly method: HttpMethod | "$default";
    /** The path, or undefined for `$default`. */
    readonly path?: string;
}

const PATH_SEGMENT = /^([A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$/;
const GREEDY_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\+\}$/;
const ROUTE_ALLOWED = `"<METHOD> <path>" with METHOD one of ${HTTP_METHODS.join(", ")} and a path starting with "/" (segments may be {name}, the last may be {name+}), or "$default"`;

/** Parses an HTTP API route key: `GET /orders/{id}`, `ANY /{proxy+}` or `$default`. */
export function parseRoute(key: string, value: unknown): Route {
    if (value === "$default") return { routeKey: "$default", method: "$default" };
    if (typeof value !== "string") return v.fail(key, ROUTE_ALLOWED, value);
    const m = /^(\S+) (\S+)$/.exec(value);
    if (!m || !(HTTP_METHODS as readonly string[]).includes(m[1]) || !m[2].startsWith("/"))
        return v.fail(key, ROUTE_ALLOWED, value);
    const [, method, path] = m;
    if (path !== "/") {
        const segments = path.slice(1).split("/");
        segments.forEach((s, i) => {
            const last = i === segments.length - 1;
            if (!(PATH_SEGMENT.test(s) || (last && GREEDY_SEGMENT.test(s))))
                v.fail(key, ROUTE_ALLOWED, value);
        });
    }
    return { routeKey: `${method} ${path}`, method: method as HttpMethod, path };
}

/** The batch size of an SQS event source mapping: an integer from 1 to 10000. */
export function validateBatchSize(key: string, value: unknown): number {
    return v.integerInRange(key, value, 1, SQS_BATCH.max);
}

/**
 * An SQS event source's batch: 1-10,000 messages (10 on a FIFO queue), a batching window of 0-300 s
 * that AWS requires (at least 1 s) for batches over 10. `key` names the trigger (`events[0].sqs`).
 */
export function validateSqsBatching(
    key: string,
    b: { batchSize?: unknown; window?: unknown; windowKey: string; fifo: boolean },
): { batchSize: number; window?: number } {
    const batchSize = validateBatchSize(`${key}.batchSize`, b.batchSize ?? 10);
    const window =
        b.window === undefined
            ? undefined
            : v.integerInRange(
                  `${key}.${b.windowKey}`,
                  b.window,
                  0,
                  SQS_BATCH.windowMax,
                  "seconds",
              );
    if (b.fifo && batchSize > SQS_BATCH.fifoMax)
        v.fail(
            `${key}.batchSize`,
            `an integer from 1 to ${SQS_BATCH.fifoMax} for a FIFO queue`,
            batchSize,
        );
    if (batchSize > SQS_BATCH.fifoMax && (window ?? 0) < 1) {
        v.fail(
            `${key}.${b.windowKey}`,
            `at least 1 when \`batchSize\` is over ${SQS_BATCH.fifoMax} (AWS requires a batching window for batches of ${batchSize})`,
            window,
        );
    }
    return { batchSize, ...(window === undefined ? {} : { window }) };
}

/** `arn:<partition>:sqs:<region>:<account>:<queue name>`. */
export const SQS_QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** A queue ARN written as a string (the manifest, the importer); outputs are checked by AWS. */
export function validateQueueArn(key: string, value: unknown): string {
    return v.matches(
        key,
        value,
        SQS_QUEUE_ARN,
        "an SQS queue ARN `arn:aws:sqs:<region>:<account>:<queue>`",
    );
}
