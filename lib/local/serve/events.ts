/**
 * The events `serve` fires by hand (`POST /_lambda-docker/schedule/<fn>`, `POST /_lambda-docker/sqs/<fn>`), in
 * the shapes Lambda receives from EventBridge Scheduler and from an SQS event source mapping. Pure: the ids and
 * the clock come in as arguments.
 */
// Sources:
//  [scheduler] https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Target.html (Input: "If you do not
//              specify anything for this field, EventBridge Scheduler delivers a default notification")
//  [shape]     the reference does not spell that notification out. This uses the "Scheduled Event" shape that
//              EventBridge rules deliver (a live one is quoted in c6fc/npk#81), with the source aws.scheduler and a
//              schedule ARN as the floci emulator emits them (floci-io/floci#1489); not checked against live AWS.
//  [sqs]       https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (example standard queue message event)
import * as crypto from "crypto";

/** The account in local ARNs, as in the events' documented examples (httpApi.ts uses it too). */
export const LOCAL_ACCOUNT = "123456789012";

export interface ScheduledEventOptions {
    /** The schedule's `input` from the manifest: what Scheduler delivers instead of its notification. @default undefined */
    readonly input?: unknown;
    /** The schedule's name, for `resources`. */
    readonly name: string;
    readonly region: string;
    /** The event's id. */
    readonly id: string;
    readonly now: Date;
}

/** ISO time without milliseconds, as the events carry it: "2026-12-04T20:36:14Z". */
function eventTime(d: Date): string {
    return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * What a scheduled invocation delivers: the schedule's `input` when the manifest gives one (the deployed
 * Scheduler target passes it as the event [scheduler]), else the "Scheduled Event" notification [shape].
 */
export function scheduledEvent(o: ScheduledEventOptions): unknown {
    if (o.input !== undefined) return o.input;
    return {
        version: "0",
        id: o.id,
        "detail-type": "Scheduled Event",
        source: "aws.scheduler",
        account: LOCAL_ACCOUNT,
        time: eventTime(o.now),
        region: o.region,
        resources: [`arn:aws:scheduler:${o.region}:${LOCAL_ACCOUNT}:schedule/default/${o.name}`],
        detail: {},
    };
}

export interface SqsEventOptions {
    /** The queue's name, for `eventSourceARN`. */
    readonly queue: string;
    readonly region: string;
    /** One id per message (messageId; the receipt handle derives from it). */
    readonly ids: readonly string[];
    readonly now: Date;
}

/**
 * The message bodies of a hand-fired batch: a JSON array is one message per element, anything else one
 * message. A string element is the body as is; any other JSON value is sent as its JSON text (SQS bodies
 * are strings).
 */
export function sqsBodies(requestBody: string): string[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(requestBody);
    } catch {
        return [requestBody];
    }
    const one = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
    return Array.isArray(parsed) ? parsed.map(one) : [one(parsed)];
}

/** An SQS event source mapping's batch [sqs]: one record per body, received once, just now. */
export function sqsEvent(bodies: readonly string[], o: SqsEventOptions): { Records: unknown[] } {
    if (o.ids.length < bodies.length)
        throw new Error(`sqsEvent: ${bodies.length} bodies but ${o.ids.length} ids`);
    const sent = String(o.now.getTime());
    return {
        Records: bodies.map((body, i) => ({
            messageId: o.ids[i],
            receiptHandle: Buffer.from(`${o.ids[i]} ${o.queue} ${sent}`).toString("base64"),
            body,
            attributes: {
                ApproximateReceiveCount: "1",
                SentTimestamp: sent,
                SenderId: LOCAL_ACCOUNT,
                ApproximateFirstReceiveTimestamp: sent,
            },
            messageAttributes: {},
            md5OfBody: crypto.createHash("md5").update(body, "utf8").digest("hex"),
            eventSource: "aws:sqs",
            eventSourceARN: `arn:aws:sqs:${o.region}:${LOCAL_ACCOUNT}:${o.queue}`,
            awsRegion: o.region,
        })),
    };
}
