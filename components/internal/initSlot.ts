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
        if (this.value !== undefined) throw new Error("InitSlot: a component's initialize did not take its arguments.");
        this.value = value;
    }

    take(): T {
        const value = this.value;
        if (value === undefined) throw new Error("InitSlot: initialize ran without its arguments.");
        this.value = undefined;
        return value;
    }
}
