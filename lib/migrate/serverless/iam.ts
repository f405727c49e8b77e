/** `provider.iam` statements. */
import { isStarOnlyAction } from "../../iam/starOnlyActions";
import { Converter, WILDCARD_ACTION, isPlaceholder, show } from "./converter";
import { Cursor } from "./variables";

export function convertIam(cv: Converter): void {
    const provider = cv.r.child(cv.root, "provider");
    const iam = cv.r.child(provider, "iam");
    for (const k of cv.r.keys(iam)) {
        if (k !== "role")
            cv.line(`provider.iam.${k}`, "not converted", "no lambda-docker equivalent");
    }
    const role = cv.r.child(iam, "role");
    if (cv.r.kind(role) === "scalar" || cv.r.kind(role) === "intrinsic") {
        cv.line(
            "provider.iam.role",
            "not converted",
            `${cv.describe(role)} is an existing role: lambda-docker creates one role per function`,
        );
    }
    for (const k of cv.r.keys(role)) {
        if (k === "statements") continue;
        const hint =
            k === "managedPolicies"
                ? "attach managed policies to each function's role in your Pulumi program"
                : "no lambda-docker equivalent";
        cv.line(`provider.iam.role.${k}`, "not converted", hint);
    }
    statementsAt(cv, cv.r.child(role, "statements"), "provider.iam.role.statements");
    statementsAt(cv, cv.r.child(provider, "iamRoleStatements"), "provider.iamRoleStatements");
}

/** Converts a list of IAM statements into `into`, whose manifest key is `keyBase` (the service's or a function's). */
export function statementsAt(
    cv: Converter,
    list: Cursor,
    base: string,
    into: Record<string, unknown>[] = cv.statements,
    keyBase = "policyStatements",
): void {
    const whose = keyBase === "policyStatements" ? "every function's role" : "this function's role";
    const n = cv.r.length(list);
    for (let i = 0; i < n; i++) {
        const item = `${base}[${i}]`;
        const s = cv.r.child(list, i);
        if (cv.r.kind(s) !== "map") {
            cv.line(
                item,
                "not converted",
                `${cv.describe(s)} is not a statement the importer can read`,
            );
            continue;
        }
        const keys = cv.r.keys(s);
        const unsupported = keys.filter(
            (k) => !["Effect", "Action", "Resource", "Sid"].includes(k),
        );
        if (unsupported.length > 0) {
            cv.line(
                item,
                "not converted",
                `${unsupported.join(", ")} cannot be expressed in policyStatements (effect, actions, resources); dropping it would change what the statement grants, so add this statement in code`,
            );
            continue;
        }
        const key = `${keyBase}[${into.length}]`;
        const effect =
            cv.takeString(cv.r.child(s, "Effect"), `${item}.Effect`, `${key}.effect`) ?? "Allow";
        const actions = cv.list(cv.r.child(s, "Action"), `${item}.Action`, `${key}.actions`);
        const resources = cv.list(
            cv.r.child(s, "Resource"),
            `${item}.Resource`,
            `${key}.resources`,
        );
        const statement: Record<string, unknown> = { effect, actions, resources };
        const wildcards = [
            ...actions
                .filter((a) => typeof a === "string" && WILDCARD_ACTION.test(a))
                .map((a) => `action ${show(a)}`),
            ...resources.filter((x) => x === "*").map(() => 'resource "*"'),
        ];
        if (wildcards.length > 0) statement.allowWildcards = true;
        // The policy pack honours allowWildcards only for "*" on actions AWS grants on nothing narrower.
        const packRefuses =
            actions.some((a) => typeof a === "string" && WILDCARD_ACTION.test(a)) ||
            (resources.includes("*") &&
                actions.some((a) => typeof a === "string" && !isStarOnlyAction(a)));
        into.push(statement);
        const shownResource = (x: unknown) => (isPlaceholder(x) ? "a placeholder" : show(x));
        const what = `${effect} ${actions.join(", ")} on ${resources.length === 1 ? shownResource(resources[0]) : `${resources.length} resources`}`;
        const allowed =
            wildcards.length > 0
                ? `; allowWildcards: true, because it grants ${wildcards.join(" and ")}, which lambda-docker refuses unless allowed on purpose` +
                  (packRefuses
                      ? ": the policy pack (iam-no-wildcards) still refuses it, since AWS has narrower grants for these actions: narrow it before the first CI run"
                      : ': AWS grants these actions only on "*", so the policy pack accepts it')
                : "";
        cv.line(
            item,
            "converted",
            `→ ${key} (${whose}): ${what}${keys.includes("Sid") ? " (Sid not kept)" : ""}${allowed}`,
        );
    }
}
