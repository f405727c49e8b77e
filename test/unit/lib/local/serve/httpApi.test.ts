import * as assert from "node:assert/strict";
import {
    IncomingRequest,
    RouteMatch,
    httpApiEvent,
    httpApiResponse,
    integrationFailure,
    notFound,
    routeTable,
} from "../../../../../lib/local/serve/httpApi";

const NOW = new Date(Date.UTC(2026, 11, 4, 15, 44, 13, 390));
const CTX = { requestId: "req-1", now: NOW };

function request(over: Partial<IncomingRequest> = {}): IncomingRequest {
    return {
        method: "GET",
        path: "/",
        rawQueryString: "",
        rawHeaders: [],
        body: Buffer.alloc(0),
        sourceIp: "127.0.0.1",
        ...over,
    };
}

describe("HTTP API route selection", () => {
    // The example routes of the AWS "Routing API requests" table, plus ANY and path-variable neighbours.
    const table = routeTable([
        { routeKey: "GET /pets/dog/1", target: "static" },
        { routeKey: "GET /pets/dog/{id}", target: "variable" },
        { routeKey: "GET /pets/{proxy+}", target: "greedy" },
        { routeKey: "ANY /{proxy+}", target: "any-greedy" },
        { routeKey: "$default", target: "default" },
    ]);
    const target = (method: string, path: string) => table.match(method, path)?.target;

    it("selects as the AWS documentation's table does: exact, then variable, then greedy, then ANY", () => {
        assert.equal(target("GET", "/pets/dog/1"), "static");
        assert.deepEqual(table.match("GET", "/pets/dog/2"), {
            routeKey: "GET /pets/dog/{id}",
            target: "variable",
            pathParameters: { id: "2" },
        });
        assert.deepEqual(table.match("GET", "/pets/cat/1"), {
            routeKey: "GET /pets/{proxy+}",
            target: "greedy",
            pathParameters: { proxy: "cat/1" },
        });
        assert.deepEqual(table.match("POST", "/test/5"), {
            routeKey: "ANY /{proxy+}",
            target: "any-greedy",
            pathParameters: { proxy: "test/5" },
        });
    });

    it("falls back to $default only when nothing else matches, and to nothing without it", () => {
        assert.deepEqual(table.match("GET", "/"), { routeKey: "$default", target: "default" });
        const bare = routeTable([{ routeKey: "GET /a", target: "a" }]);
        assert.equal(bare.match("GET", "/b"), undefined);
        assert.equal(bare.match("POST", "/a"), undefined);
        assert.deepEqual(
            routeTable([{ routeKey: "$default", target: "d" }]).match("DELETE", "/x/y"),
            { routeKey: "$default", target: "d" },
        );
    });

    it("prefers a method-specific route to ANY on the same path, in any declaration order", () => {
        for (const routes of [
            [
                { routeKey: "ANY /orders", target: "any" },
                { routeKey: "POST /orders", target: "post" },
            ],
            [
                { routeKey: "POST /orders", target: "post" },
                { routeKey: "ANY /orders", target: "any" },
            ],
        ]) {
            const t = routeTable(routes);
            assert.equal(t.match("POST", "/orders")?.target, "post");
            assert.equal(t.match("GET", "/orders")?.target, "any");
        }
    });

    it("ranks the path before the method, and any full match before a greedy one", () => {
        const t = routeTable([
            { routeKey: "GET /{proxy+}", target: "get-greedy" },
            { routeKey: "GET /pets/{id}", target: "get-var" },
            { routeKey: "ANY /pets/dog", target: "any-static" },
            { routeKey: "GET /{a}/{b}/{c}", target: "three-vars" },
            { routeKey: "GET /x/y/{proxy+}", target: "deep-greedy" },
            { routeKey: "GET /x/{proxy+}", target: "shallow-greedy" },
        ]);
        assert.equal(t.match("GET", "/pets/dog")?.target, "any-static");
        assert.equal(t.match("GET", "/pets/cat")?.target, "get-var");
        assert.equal(t.match("GET", "/x/y/z")?.target, "three-vars");
        assert.equal(t.match("GET", "/x/y/z/w")?.target, "deep-greedy");
        assert.equal(t.match("GET", "/x/q/z/w")?.target, "shallow-greedy");
        assert.equal(t.match("GET", "/pets")?.target, "get-greedy");
    });

    it("gives a path variable exactly one non-empty segment, and {proxy+} one or more", () => {
        const t = routeTable([
            { routeKey: "GET /files/{name}", target: "one" },
            { routeKey: "GET /docs/{proxy+}", target: "many" },
        ]);
        assert.equal(t.match("GET", "/files/a/b"), undefined);
        assert.equal(t.match("GET", "/files//"), undefined);
        assert.equal(t.match("GET", "/files"), undefined);
        assert.deepEqual(t.match("GET", "/docs/a/b/c.txt")?.pathParameters, { proxy: "a/b/c.txt" });
        assert.equal(t.match("GET", "/docs"), undefined);
        assert.equal(t.match("GET", "/docs/"), undefined);
        assert.equal(
            routeTable([{ routeKey: "ANY /{proxy+}", target: "p" }]).match("GET", "/"),
            undefined,
        );
        assert.deepEqual(routeTable([{ routeKey: "GET /", target: "root" }]).match("GET", "/"), {
            routeKey: "GET /",
            target: "root",
        });
    });

    it("matches paths case-sensitively and upper-cases the request method", () => {
        const t = routeTable([{ routeKey: "GET /Orders", target: "o" }]);
        assert.equal(t.match("get", "/Orders")?.target, "o");
        assert.equal(t.match("GET", "/orders"), undefined);
    });

    it("ignores one trailing slash on the request when selecting", () => {
        const t = routeTable([
            { routeKey: "GET /orders", target: "list" },
            { routeKey: "GET /orders/{id}", target: "one" },
        ]);
        assert.equal(t.match("GET", "/orders/")?.target, "list");
        assert.deepEqual(t.match("GET", "/orders/7/")?.pathParameters, { id: "7" });
        assert.equal(t.match("GET", "/orders//"), undefined);
    });

    it("percent-decodes path parameters, matching on the raw segments", () => {
        const t = routeTable([
            { routeKey: "GET /users/{name}/files/{proxy+}", target: "f" },
            { routeKey: "GET /caf%C3%A9", target: "raw" },
        ]);
        assert.deepEqual(t.match("GET", "/users/J%C3%B6rg%20K/files/a%2Fb/c%20d")?.pathParameters, {
            name: "Jörg K",
            proxy: "a/b/c d",
        });
        assert.deepEqual(t.match("GET", "/users/a%2Fb/files/x")?.pathParameters, {
            name: "a/b",
            proxy: "x",
        });
        assert.deepEqual(t.match("GET", "/users/100%/files/x+y")?.pathParameters, {
            name: "100%",
            proxy: "x+y",
        });
        assert.equal(t.match("GET", "/caf%C3%A9")?.target, "raw");
    });

    it("rejects malformed route keys, naming them", () => {
        for (const key of [
            "GET",
            "GET pets",
            "get /pets",
            "FETCH /pets",
            "GET /pets/",
            "GET //pets",
            "GET /{proxy+}/x",
            "GET /a/{id}/{id}",
            "GET /a{b}",
            "GET /{a b}",
            "GET  /pets",
            "$DEFAULT",
        ]) {
            assert.throws(
                () => routeTable([{ routeKey: key, target: "t" }]),
                (e: Error) => e.message.includes(JSON.stringify(key)),
                key,
            );
        }
    });

    it("rejects the same method and path twice, whatever the variable names", () => {
        assert.throws(
            () =>
                routeTable([
                    { routeKey: "GET /a", target: "1" },
                    { routeKey: "GET /a", target: "2" },
                ]),
            /duplicate.*"GET \/a"/,
        );
        assert.throws(
            () =>
                routeTable([
                    { routeKey: "GET /a/{id}", target: "1" },
                    { routeKey: "GET /a/{name}", target: "2" },
                ]),
            /duplicate/,
        );
        assert.throws(
            () =>
                routeTable([
                    { routeKey: "$default", target: "1" },
                    { routeKey: "$default", target: "2" },
                ]),
            /duplicate.*\$default/,
        );
        assert.doesNotThrow(() =>
            routeTable([
                { routeKey: "GET /a", target: "1" },
                { routeKey: "ANY /a", target: "2" },
                { routeKey: "GET /a/{id}", target: "3" },
            ]),
        );
    });
});

describe("HTTP API payload format 2.0 event", () => {
    const match: RouteMatch = {
        routeKey: "POST /orders/{id}",
        target: "t",
        pathParameters: { id: "a b" },
    };

    it("builds the documented event for a full request", () => {
        const req = request({
            method: "post",
            path: "/orders/a%20b",
            rawQueryString: "x=1&x=2&name=J%C3%B6rg+K&flag&empty=",
            rawHeaders: [
                "Host",
                "localhost:3000",
                "User-Agent",
                "curl/8",
                "Content-Type",
                "application/json",
                "X-Multi",
                "a",
                "x-multi",
                "b",
                "Cookie",
                "s=1; t=2",
                "cookie",
                "u=3",
            ],
            body: Buffer.from('{"qty":2}'),
            sourceIp: "::1",
        });
        assert.deepEqual(httpApiEvent(req, match, CTX), {
            version: "2.0",
            routeKey: "POST /orders/{id}",
            rawPath: "/orders/a%20b",
            rawQueryString: "x=1&x=2&name=J%C3%B6rg+K&flag&empty=",
            cookies: ["s=1", "t=2", "u=3"],
            headers: {
                host: "localhost:3000",
                "user-agent": "curl/8",
                "content-type": "application/json",
                "x-multi": "a,b",
            },
            queryStringParameters: { x: "1,2", name: "Jörg K", flag: "", empty: "" },
            requestContext: {
                accountId: "123456789012",
                apiId: "local",
                domainName: "localhost",
                domainPrefix: "localhost",
                http: {
                    method: "POST",
                    path: "/orders/a b",
                    protocol: "HTTP/1.1",
                    sourceIp: "::1",
                    userAgent: "curl/8",
                },
                requestId: "req-1",
                routeKey: "POST /orders/{id}",
                stage: "$default",
                time: "04/Dec/2026:15:44:13 +0000",
                timeEpoch: 1796399053390,
            },
            pathParameters: { id: "a b" },
            body: '{"qty":2}',
            isBase64Encoded: false,
        });
    });

    it("omits cookies, queryStringParameters, pathParameters and body when there are none", () => {
        const event = httpApiEvent(
            request({ path: "/x" }),
            { routeKey: "$default", target: "t" },
            CTX,
        );
        assert.deepEqual(Object.keys(event), [
            "version",
            "routeKey",
            "rawPath",
            "rawQueryString",
            "headers",
            "requestContext",
            "isBase64Encoded",
        ]);
        assert.equal(event.isBase64Encoded, false);
        assert.deepEqual(event.headers, {});
        assert.equal((event.requestContext as { http: { userAgent: string } }).http.userAgent, "");
    });

    it("takes the context's overrides, the Host header's name, and the request's protocol", () => {
        const req = request({ rawHeaders: ["host", "api.example.com:8443"], protocol: "HTTP/2.0" });
        const rc = httpApiEvent(req, match, CTX).requestContext as Record<string, unknown>;
        assert.equal(rc.domainName, "api.example.com");
        assert.equal(rc.domainPrefix, "api");
        assert.equal((rc.http as { protocol: string }).protocol, "HTTP/2.0");
        const over = httpApiEvent(req, match, {
            ...CTX,
            apiId: "abc123",
            stage: "dev",
            accountId: "111122223333",
            domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
        });
        assert.deepEqual(
            (({ apiId, stage, accountId, domainName, domainPrefix }) => ({
                apiId,
                stage,
                accountId,
                domainName,
                domainPrefix,
            }))(over.requestContext as Record<string, unknown>),
            {
                apiId: "abc123",
                stage: "dev",
                accountId: "111122223333",
                domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
                domainPrefix: "abc123",
            },
        );
    });

    it("passes text bodies as text and everything else as base64", () => {
        const body = (contentType: string | undefined, bytes: Buffer) => {
            const e = httpApiEvent(
                request({
                    method: "POST",
                    rawHeaders: contentType === undefined ? [] : ["Content-Type", contentType],
                    body: bytes,
                }),
                match,
                CTX,
            );
            return [e.body, e.isBase64Encoded];
        };
        const hi = Buffer.from("héllo");
        for (const type of [
            "text/plain",
            "text/html; charset=utf-8",
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/problem+json",
            "application/xml",
            "application/javascript",
        ]) {
            assert.deepEqual(body(type, hi), ["héllo", false], type);
        }
        for (const type of [
            undefined,
            "application/octet-stream",
            "image/png",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xhtml+xml",
        ]) {
            assert.deepEqual(body(type, hi), [hi.toString("base64"), true], String(type));
        }
        const notUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
        assert.deepEqual(body("text/plain", notUtf8), ["//4AQQ==", true]);
    });
});

describe("HTTP API response mapping", () => {
    const text = (r: { body: Buffer }) => r.body.toString("utf-8");

    it("uses a structured response's statusCode, headers, cookies and body", () => {
        const r = httpApiResponse({
            statusCode: 201,
            headers: {
                "Content-Type": "application/json",
                "X-Count": 3,
                "X-Ok": true,
                "X-Null": null,
            },
            cookies: ["a=1; Path=/", "b=2"],
            body: '{"id":"7"}',
        });
        assert.deepEqual(
            { ...r, body: text(r) },
            {
                statusCode: 201,
                headers: { "content-type": "application/json", "x-count": "3", "x-ok": "true" },
                cookies: ["a=1; Path=/", "b=2"],
                body: '{"id":"7"}',
            },
        );
    });

    it("decodes a base64 body, treats a missing body as empty, and defaults the content-type to text/plain", () => {
        const bin = httpApiResponse({
            statusCode: 200,
            isBase64Encoded: true,
            headers: { "content-type": "image/png" },
            body: Buffer.from([0, 255, 1]).toString("base64"),
        });
        assert.deepEqual([...bin.body], [0, 255, 1]);
        const empty = httpApiResponse({ statusCode: 204 });
        assert.deepEqual(empty, {
            statusCode: 204,
            headers: { "content-type": "text/plain; charset=utf-8" },
            cookies: [],
            body: Buffer.alloc(0),
        });
        assert.equal(
            text(httpApiResponse({ statusCode: 200, isBase64Encoded: false, body: "aGk=" })),
            "aGk=",
        );
    });

    it("infers 200 application/json for any other JSON value, with a string passed as is", () => {
        const json = { "content-type": "application/json" };
        const cases: Array<[unknown, string]> = [
            [{ message: "Hello from Lambda!" }, '{"message":"Hello from Lambda!"}'],
            [[1, "two"], '[1,"two"]'],
            [42, "42"],
            [true, "true"],
            [null, "null"],
            ["Hello from Lambda!", "Hello from Lambda!"],
            [{ status: 404, body: "x" }, '{"status":404,"body":"x"}'],
        ];
        for (const [result, body] of cases) {
            const r = httpApiResponse(result);
            assert.deepEqual(
                { ...r, body: text(r) },
                { statusCode: 200, headers: json, cookies: [], body },
                JSON.stringify(result),
            );
        }
    });

    it("turns a statusCode that is not an integer 100-599 into the integration failure", () => {
        for (const statusCode of [0, 99, 600, 200.5, "200", null, -1]) {
            assert.deepEqual(
                httpApiResponse({ statusCode, body: "x" }),
                integrationFailure(),
                String(statusCode),
            );
        }
        assert.equal(httpApiResponse({ statusCode: 599 }).statusCode, 599);
        assert.equal(httpApiResponse({ statusCode: 100 }).statusCode, 100);
    });

    it("answers failures and unmatched requests as API Gateway does", () => {
        const f = integrationFailure();
        assert.deepEqual(
            { ...f, body: text(f) },
            {
                statusCode: 500,
                headers: { "content-type": "application/json" },
                cookies: [],
                body: '{"message":"Internal Server Error"}',
            },
        );
        const n = notFound();
        assert.deepEqual(
            { ...n, body: text(n) },
            {
                statusCode: 404,
                headers: { "content-type": "application/json" },
                cookies: [],
                body: '{"message":"Not Found"}',
            },
        );
    });
});
