/** The names AWS gives a function's children, checked against AWS's limits: shared by the components, the manifest and `check`. */
import * as v from "../validation";
import type { Route } from "./events";
import { FUNCTION_NAME_LIMIT, SCHEDULE_NAME_LIMIT, STATEMENT_ID_LIMIT } from "./rules";

/** Characters the default function name adds to the component name: `-` and 8 hex of its URN. */
export const FUNCTION_NAME_SUFFIX = 9;

/** The function's own children fit AWS's limits: the role's 64 characters, and the function's 64 unless it is named. */
export function checkFunctionNames(
    name: string,
    f: { readonly named: boolean; readonly hasSchedule: boolean },
): void {
    v.autoNamedChild(name, "-role", 64, "its IAM role");
    if (!f.named && name.length > FUNCTION_NAME_LIMIT - FUNCTION_NAME_SUFFIX) {
        v.fail(
            "name",
            `at most ${FUNCTION_NAME_LIMIT - FUNCTION_NAME_SUFFIX} characters: the Lambda function is named \`<name>-<8 hex>\` unless \`functionName\` is given, and AWS allows 64 (${name.length} given)`,
            name,
        );
    }
    if (f.hasSchedule) v.autoNamedChild(name, "-scheduler", 64, "its scheduler role");
}

/** A route as a child-name fragment: `GET /orders/{id}` -> `get-orders-id`. */
export function routeSlug(route: Pick<Route, "routeKey">): string {
    return (
        route.routeKey
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-|-$/g, "") || "root"
    );
}

/** Child-name fragments of routes, in order, made unique the way the triggers name their children. */
export function routeSlugs(routes: readonly Pick<Route, "routeKey">[]): string[] {
    const used = new Set<string>();
    return routes.map((r) => {
        let slug = routeSlug(r);
        while (used.has(slug)) slug = `${slug}-x`;
        used.add(slug);
        return slug;
    });
}

/** A trigger as far as its children's names go. */
export type NamedTrigger =
    | { readonly kind: "schedule" }
    | { readonly kind: "http"; readonly route: Pick<Route, "routeKey"> }
    | { readonly kind: "sqs" };

/** Scheduler schedules and invoke permissions are auto-named from the function's component name: they must fit. */
export function checkTriggerNames(functionName: string, events: readonly NamedTrigger[]): void {
    let schedule = 0;
    const slugs = routeSlugs(events.flatMap((e) => (e.kind === "http" ? [e.route] : [])));
    let route = 0;
    events.forEach((e, i) => {
        if (e.kind === "schedule") {
            v.autoNamedChild(
                functionName,
                `-schedule-${schedule++}`,
                SCHEDULE_NAME_LIMIT,
                "its EventBridge Scheduler schedule",
            );
        } else if (e.kind === "http") {
            const child = `${functionName}-invoke-${slugs[route++]}`;
            const length = child.length + v.AUTONAME_SUFFIX_LENGTH;
            if (length > STATEMENT_ID_LIMIT) {
                v.fail(
                    `events[${i}].http.route`,
                    `a route whose invoke permission fits AWS's ${STATEMENT_ID_LIMIT}-character statement id: ` +
                        `it is auto-named \`<name>-invoke-<route>-<7 random>\`, here ${length} characters (${JSON.stringify(child)}); shorten the route or the function's name`,
                    e.route.routeKey,
                );
            }
        }
    });
}
