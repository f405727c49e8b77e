/** Reading output values where a decision must be a plain value. */
import * as pulumi from "@pulumi/pulumi";

/**
 * The value of an output once it is known, or undefined while it is unknown (a preview before the
 * resource behind it exists). The SDK has no public way to await an output that may stay unknown;
 * `isKnown` and `promise` are internal to @pulumi/pulumi's Output but stable across 3.x.
 */
export async function knownValue<T>(input: pulumi.Input<T>): Promise<T | undefined> {
    return (await settled(input)).value;
}

/** Whether an output is known, and its value when it is (which may itself be undefined). */
export async function settled<T>(input: pulumi.Input<T>): Promise<{ known: boolean; value?: T }> {
    const o = pulumi.output(input) as unknown as {
        isKnown: Promise<boolean>;
        promise(withUnknowns?: boolean): Promise<T>;
    };
    return (await o.isKnown) ? { known: true, value: await o.promise() } : { known: false };
}
