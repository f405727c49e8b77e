/**
 * What components keep outside their inputs: facts other components read, keyed by component, and
 * InitSlot, which hands a constructor's values to its `initialize`. See docs/design/components.md.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResolvedEcrRepositoryArgs } from "../ecr/repository";
import type { ResolvedLambdaImageArgs } from "../image/lambdaImage";
import type { Architecture } from "../../lib/validation";

/** What a function needs from an image component (LambdaImage, PromotedImage). */
export interface ImageSource {
    readonly architecture: Architecture;
    /** `<repositoryUrl>@sha256:…` */
    readonly imageUri: pulumi.Output<string>;
}

export interface LayerZip {
    readonly zipPath: string;
    /** sha256 (hex) of the zip. */
    readonly sha256: string;
    readonly unzippedBytes: number;
    readonly zippedBytes: number;
}

/** What a zip function needs from a layer component (DockerLayer, PromotedLayer) before it creates anything. */
export interface LayerSource {
    readonly architecture: Architecture;
    /** Resolves when the zip exists (built, cached or fetched); rejects if that or a size check failed. */
    readonly built: Promise<LayerZip>;
    readonly arn: pulumi.Output<string>;
}

/** Every kind of state, by name. */
export interface ComponentStates {
    /** An EcrRepository's resolved args (its stage and mutability decide what images may do). */
    readonly repository: ResolvedEcrRepositoryArgs;
    /** A LambdaImage's resolved build settings. */
    readonly lambdaImage: ResolvedLambdaImageArgs;
    /** Any image component, as functions take it. */
    readonly image: ImageSource;
    /** Any layer component, as zip functions take it. */
    readonly layer: LayerSource;
    /** A layer's zip while its component is still being constructed (set by `initialize`, read by the constructor). */
    readonly layerZip: Pick<LayerSource, "architecture" | "built">;
    /** An HttpApi's routes: route key -> owning function. */
    readonly routes: Map<string, string>;
}

const maps = new Map<keyof ComponentStates, WeakMap<object, unknown>>();

function mapOf<K extends keyof ComponentStates>(kind: K): WeakMap<object, ComponentStates[K]> {
    let map = maps.get(kind);
    if (map === undefined) maps.set(kind, (map = new WeakMap()));
    return map as WeakMap<object, ComponentStates[K]>;
}

export function setState<K extends keyof ComponentStates>(
    kind: K,
    owner: object,
    value: ComponentStates[K],
): void {
    mapOf(kind).set(owner, value);
}

/** The state of `owner`, or undefined when it is not a lambda-docker component of that kind. */
export function stateOf<K extends keyof ComponentStates>(
    kind: K,
    owner: unknown,
): ComponentStates[K] | undefined {
    return typeof owner === "object" && owner !== null ? mapOf(kind).get(owner) : undefined;
}

/** The state of `owner`, or an Error saying what `owner` must be. */
export function requireState<K extends keyof ComponentStates>(
    kind: K,
    owner: unknown,
    mustBe: string,
): ComponentStates[K] {
    const found = stateOf(kind, owner);
    if (found === undefined) throw new Error(mustBe);
    return found;
}

/**
 * Hands what a component's `initialize` needs (build args, environment values, paths) from its
 * constructor without making them component inputs. ComponentResource sends the props given to
 * `super()` to the engine, which keeps them in the state and shows them in every diff; those props
 * are also the only argument `initialize` gets. `super()` calls `initialize` synchronously, so a slot
 * filled right before `super()` and emptied at the top of `initialize` always belongs to the component
 * under construction.
 */
export class InitSlot<T> {
    private value: T | undefined;

    fill(value: T): void {
        if (this.value !== undefined)
            throw new Error("InitSlot: a component's initialize did not take its arguments.");
        this.value = value;
    }

    take(): T {
        const value = this.value;
        if (value === undefined) throw new Error("InitSlot: initialize ran without its arguments.");
        this.value = undefined;
        return value;
    }
}
