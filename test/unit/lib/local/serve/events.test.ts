import * as assert from "node:assert/strict";
import { scheduledEvent, sqsBodies, sqsEvent } from "../../../../../lib/local/serve/events";

const NOW = new Date(Date.UTC(2026, 11, 4, 20, 36, 14, 390));

describe("serve's hand-fired events", () => {
    it("a schedule without input delivers the Scheduled Event notification", () => {
        assert.deepEqual(
            scheduledEvent({ name: "tick-schedule-0", region: "eu-west-1", id: "ev-1", now: NOW }),
            {
                version: "0",
                id: "ev-1",
                "detail-type": "Scheduled Event",
                source: "aws.scheduler",
                account: "123456789012",
                time: "2026-12-04T20:36:14Z",
                region: "eu-west-1",
                resources: [
                    "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/tick-schedule-0",
                ],
                detail: {},
            },
        );
    });

    it("a schedule with input delivers the input alone, as the deployed target does", () => {
        const input = { campaignId: "scheduled", accounts: [] };
        assert.deepEqual(
            scheduledEvent({ input, name: "x", region: "us-east-1", id: "ev-1", now: NOW }),
            input,
        );
        assert.equal(
            scheduledEvent({ input: null, name: "x", region: "r", id: "i", now: NOW }),
            null,
        );
    });

    for (const [body, expected] of [
        ['["a", {"n": 2}, 3]', ["a", '{"n":2}', "3"]],
        ['"one"', ["one"]],
        ['{"id": 1}', ['{"id":1}']],
        ["not json", ["not json"]],
        ["", [""]],
    ] as const) {
        it(`a request body ${JSON.stringify(body)} is the messages ${JSON.stringify(expected)}`, () => {
            assert.deepEqual(sqsBodies(body), expected);
        });
    }

    it("an SQS batch has one record per body in the event source mapping's shape", () => {
        const event = sqsEvent(["hello", '{"n":2}'], {
            queue: "jobs",
            region: "eu-west-1",
            ids: ["id-1", "id-2"],
            now: NOW,
        });
        assert.deepEqual(event.Records[0], {
            messageId: "id-1",
            receiptHandle: Buffer.from("id-1 jobs 1796416574390").toString("base64"),
            body: "hello",
            attributes: {
                ApproximateReceiveCount: "1",
                SentTimestamp: "1796416574390",
                SenderId: "123456789012",
                ApproximateFirstReceiveTimestamp: "1796416574390",
            },
            messageAttributes: {},
            md5OfBody: "5d41402abc4b2a76b9719d911017c592",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:jobs",
            awsRegion: "eu-west-1",
        });
        assert.equal(event.Records.length, 2);
        assert.throws(
            () => sqsEvent(["a", "b"], { queue: "q", region: "r", ids: ["1"], now: NOW }),
            /^Error: sqsEvent: 2 bodies but 1 ids$/,
        );
    });
});
