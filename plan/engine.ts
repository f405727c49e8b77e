/** The recording mocks engine lives in the package (lambda-docker/testing); the plan and the tests use it from here. */
export * from "../components/testing/engine";
