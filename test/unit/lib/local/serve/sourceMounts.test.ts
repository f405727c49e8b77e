import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dependencyFingerprint, sourceMounts } from "../../../../../lib/local/serve/sourceMounts";
import { formatRoutes, manifestRoutes } from "../../../../../lib/local/serve/server";
import type { Manifest } from "../../../../../lib/manifest";

describe("serve's source mounts", () => {
    let dir: string;
    const write = (rel: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
    };
    const mounts = (dockerfile: string) =>
        sourceMounts(dir, dockerfile).map((m) => [path.relative(dir, m.source), m.target]);
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ld-mounts-"));
        write("src/app.py", "x = 1\n");
        write("h.py", "x = 1\n");
        write("requirements.txt", "requests\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [name, dockerfile, expected] of [
        [
            "the example app: deps from another stage into the task root, src into src",
            "FROM b AS deps\nCOPY requirements.txt /tmp/\nRUN pip install -t /opt/deps\nFROM b\nCOPY --from=deps /opt/deps ${LAMBDA_TASK_ROOT}/\nCOPY src ${LAMBDA_TASK_ROOT}/src\n",
            [["src", "/var/task/src"]],
        ],
        [
            "a file into the task root, and a relative destination against WORKDIR",
            "FROM b\nCOPY h.py $LAMBDA_TASK_ROOT/\nWORKDIR /var/task/lib\nCOPY src/app.py .\n",
            [
                ["h.py", "/var/task/h.py"],
                ["src/app.py", "/var/task/lib/app.py"],
            ],
        ],
        [
            "not the context over the task root when pip installs there too",
            "FROM b\nCOPY . /var/task\nRUN pip install -r requirements.txt -t /var/task\n",
            [],
        ],
        [
            "the context over the task root when nothing else goes there",
            "FROM b\nCOPY . /var/task\n",
            [["", "/var/task"]],
        ],
        [
            "nothing outside the task root, from a build stage, with a wildcard or in JSON form",
            'FROM b AS build\nCOPY src /var/task/src\nFROM b\nCOPY src /opt/src\nCOPY *.py /var/task/\nCOPY ["h.py", "/var/task/"]\n',
            [],
        ],
    ] as const) {
        it(name, () => assert.deepEqual(mounts(dockerfile), expected));
    }

    it("a source edit keeps the dependency fingerprint; a requirements or Dockerfile edit changes it", () => {
        write("Dockerfile", "FROM b\nCOPY requirements.txt /tmp/\nCOPY . /var/task\n");
        const fp = () =>
            dependencyFingerprint({ context: dir, settings: ["x"], cacheDir: false }).fingerprint;
        const first = fp();
        write("src/app.py", "x = 2\n");
        write("h.py", "y = 2\n");
        assert.equal(fp(), first);
        write("requirements.txt", "requests==2\n");
        const second = fp();
        assert.notEqual(second, first);
        write("Dockerfile", "FROM b\nCOPY requirements.txt /tmp/\nCOPY . /var/task\n# changed\n");
        assert.notEqual(fp(), second);
    });
});

describe("serve's route table", () => {
    it("lists each http event's route and prints it aligned", () => {
        const fn = (events: unknown[]) => ({
            kind: "image",
            image: "app",
            command: ["h.f"],
            environment: {},
            policyStatements: [],
            samples: [],
            events,
        });
        const manifest = {
            images: {},
            layers: {},
            queues: {},
            policyStatements: [],
            functions: {
                api: fn([
                    { http: { route: "GET /orders/{id}" } },
                    { http: { route: "DELETE /orders/{id}" } },
                ]),
                tick: fn([{ schedule: { expression: "rate(1 minute)", enabled: true } }]),
            },
        } as unknown as Manifest;
        assert.deepEqual(manifestRoutes(manifest), [
            { routeKey: "GET /orders/{id}", target: "api" },
            { routeKey: "DELETE /orders/{id}", target: "api" },
        ]);
        assert.deepEqual(
            formatRoutes("http://127.0.0.1:3000", [
                { method: "GET", path: "/orders/{id}", target: "api" },
                { method: "POST", path: "/_lambda-docker/schedule/tick", target: "tick" },
            ]),
            [
                "GET   http://127.0.0.1:3000/orders/{id}                   → api",
                "POST  http://127.0.0.1:3000/_lambda-docker/schedule/tick  → tick",
            ],
        );
    });
});
