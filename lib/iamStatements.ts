/** IAM statements as users write them: their shape and validation, with no Pulumi (resources may be outputs). */
import { fail, nonEmptyString } from "./validation";

/** IAM statement effects. */
export const Effect = { Allow: "Allow", Deny: "Deny" } as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

/** One IAM statement; `R` is what a resource may be (a string, or an output where Pulumi is in play). */
export interface PolicyStatementShape<R = string> {
    /** @default "Allow" */
    readonly effect?: Effect;
    /** IAM actions such as `dynamodb:GetItem`; wildcards inside an action (`dynamodb:Get*`) are allowed. */
    readonly actions: string[];
    /** Resource ARNs the actions apply to. */
    readonly resources: R[];
    /**
     * Allow a whole-service action (`s3:*`, `*`) or the resource `*` in this statement. Refused without
     * it, so a grant of everything is always written down on purpose. @default false
     */
    readonly allowWildcards?: boolean;
}

const ACTION_PATTERN = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
/** Actions and resources that grant everything: `*`, `*:*` and `<service>:*`, and the resource `*`. */
const WILDCARD_ACTION = /^([a-z0-9-]+|\*):\*$|^\*$/;
const ACTION_ALLOWED = 'an IAM action in `service:Action` form (e.g. "dynamodb:GetItem")';
const WILDCARD_HINT = "set `allowWildcards: true` on the statement to grant it on purpose";

/** A Pulumi Output or a promise, recognised by shape so that this module needs no Pulumi. */
export function isDeferred(value: unknown): boolean {
    if (value instanceof Promise) return true;
    const o = value as { apply?: unknown; isKnown?: unknown } | null;
    return (
        typeof o === "object" &&
        o !== null &&
        typeof o.apply === "function" &&
        o.isKnown instanceof Promise
    );
}

export function validateStatements<R = string>(
    key: string,
    statements: unknown,
): PolicyStatementShape<R>[] {
    if (!Array.isArray(statements))
        fail(key, "a list of { actions, resources } statements", statements);
    statements.forEach((s, i) => {
        const k = `${key}[${i}]`;
        if (typeof s !== "object" || s === null)
            fail(k, "an object { effect?, actions, resources }", s);
        const { effect, actions, resources, allowWildcards } = s as Record<string, unknown>;
        if (effect !== undefined && effect !== "Allow" && effect !== "Deny")
            fail(`${k}.effect`, '"Allow" or "Deny"', effect);
        if (allowWildcards !== undefined && typeof allowWildcards !== "boolean")
            fail(`${k}.allowWildcards`, "true or false", allowWildcards);
        const wildcards = allowWildcards === true;
        if (!Array.isArray(actions) || actions.length === 0)
            fail(`${k}.actions`, "a non-empty list of IAM actions", actions);
        actions.forEach((a, j) => {
            if (typeof a === "string" && WILDCARD_ACTION.test(a)) {
                if (!wildcards)
                    fail(
                        `${k}.actions[${j}]`,
                        `${ACTION_ALLOWED}, not "*" or "<service>:*" (${WILDCARD_HINT})`,
                        a,
                    );
            } else if (typeof a !== "string" || !ACTION_PATTERN.test(a)) {
                fail(`${k}.actions[${j}]`, `${ACTION_ALLOWED}, not a bare "*"`, a);
            }
        });
        if (!Array.isArray(resources) || resources.length === 0)
            fail(`${k}.resources`, "a non-empty list of resource ARNs", resources);
        resources.forEach((r, j) => {
            if (typeof r === "string") {
                nonEmptyString(`${k}.resources[${j}]`, r);
                if (r === "*" && !wildcards)
                    fail(`${k}.resources[${j}]`, `a resource ARN, not "*" (${WILDCARD_HINT})`, r);
            } else if (!isDeferred(r))
                fail(`${k}.resources[${j}]`, "a resource ARN (a string or an output)", r);
        });
    });
    return statements as PolicyStatementShape<R>[];
}

/** The partition of a region, by AWS's region-name prefixes: aws-cn, aws-us-gov, aws-iso, aws-iso-b, else aws. */
export function partitionOfRegion(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-isob-")) return "aws-iso-b";
    if (region.startsWith("us-iso-")) return "aws-iso";
    return "aws";
}

export const DYNAMODB_READ_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
];
export const DYNAMODB_WRITE_ACTIONS = [
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];
