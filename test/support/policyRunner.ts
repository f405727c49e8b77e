/** Runs the policy pack's validations offline, against recorded (or crafted) resources, as the analyzer would. */
import {
    PolicyResource,
    ResourceValidation,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import { policies } from "../../policy/policies";

export interface PolicyInput {
    readonly type: string;
    readonly name: string;
    /** Properties after the provider's check (inputs plus computed names). */
    readonly props: Record<string, any>;
    readonly urn: string;
}

/** What `args.notApplicable()` throws; the analyzer treats it as "this policy does not apply here". */
class NotApplicable extends Error {}
const notApplicable = (): never => {
    throw new NotApplicable();
};

async function apply(fn: () => unknown): Promise<void> {
    try {
        await fn();
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
    }
}

function resourceArgs(r: PolicyInput): ResourceValidationArgs {
    return {
        type: r.type,
        props: r.props,
        urn: r.urn,
        name: r.name,
        opts: {} as never,
        stackTags: new Map(),
        isType: (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === r.type,
        asType: () => r.props as never,
        getConfig: () => ({}) as never,
        notApplicable,
    } as unknown as ResourceValidationArgs;
}

/** Every violation, as `<policy name>: <message>`, in policy order. */
export async function runPolicies(resources: readonly PolicyInput[]): Promise<string[]> {
    const found: string[] = [];
    for (const policy of policies) {
        const report = (message: string) => void found.push(`${policy.name}: ${message}`);
        if ("validateResource" in policy && policy.validateResource) {
            const fns: ResourceValidation[] = Array.isArray(policy.validateResource)
                ? policy.validateResource
                : [policy.validateResource];
            for (const r of resources)
                for (const fn of fns) await apply(() => fn(resourceArgs(r), report));
        }
        if ("validateStack" in policy) {
            const stackResources = resources.map((r) => ({
                type: r.type,
                props: r.props,
                urn: r.urn,
                name: r.name,
                opts: {},
                dependencies: [],
                propertyDependencies: {},
                isType: (cls: unknown) =>
                    (cls as { __pulumiType?: string }).__pulumiType === r.type,
            })) as unknown as PolicyResource[];
            await apply(() =>
                policy.validateStack(
                    {
                        resources: stackResources,
                        stackTags: new Map(),
                        getConfig: () => ({}) as never,
                        notApplicable,
                    } as StackValidationArgs,
                    report,
                ),
            );
        }
    }
    return found;
}
