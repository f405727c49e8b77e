/** The lambda-docker policy pack: `pulumi preview --policy-pack policy`. */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("lambda-docker", { policies });
