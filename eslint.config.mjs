// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

/** Pulumi is for components and the programs that compose them, never for what runs without an engine. */
const NO_PULUMI = {
    group: ["@pulumi/*"],
    message:
        "Only components/ and the programs (index.ts, plan/, tools/) may import Pulumi: lib/, cli/ and config/ run without an engine.",
};

export default tseslint.config(
    {
        ignores: [
            "dist/",
            "node_modules/",
            "scratch/",
            ".scratch/",
            ".lambda-docker/",
            "examples/**/node_modules/",
            "examples/**/bin/",
            "**/*.js",
            "**/*.mjs",
        ],
    },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            // Pulumi components are created for their side effects (`new X(...)` with no binding).
            "no-new": "off",
        },
    },
    {
        // The architecture, enforced: lib/ needs nothing of the rest; the CLI never loads Pulumi or the components.
        files: ["lib/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        NO_PULUMI,
                        {
                            group: [
                                "**/components/**",
                                "**/components",
                                "**/cli/**",
                                "**/config/**",
                            ],
                            message:
                                "lib/ stands alone: it may not import components/, cli/ or config/.",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["cli/**/*.ts", "config/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        NO_PULUMI,
                        {
                            group: ["**/components/**", "**/components"],
                            message: "The CLI and config run without Pulumi: use lib/.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // No source file grows past what a reviewer reads in one sitting.
        files: [
            "components/**/*.ts",
            "lib/**/*.ts",
            "cli/**/*.ts",
            "config/**/*.ts",
            "tools/**/*.ts",
            "plan/**/*.ts",
            "index.ts",
        ],
        rules: { "max-lines": ["error", { max: 600, skipBlankLines: false, skipComments: false }] },
    },
    {
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-non-null-assertion": "off" },
    },
);
