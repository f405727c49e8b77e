/**
 * IAM actions AWS grants only on the resource "*" (no resource-level permissions), the one list that
 * the policy pack (policy/policies.ts), the manifest and the importer share: a statement of these
 * actions on "*" with `allowWildcards: true` passes the pack; "*" for any other action does not.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 * (an action whose "Resource types" column is empty supports only "*")
 */
export const STAR_ONLY_ACTIONS: readonly string[] = [
    "ce:GetCostAndUsage",
    "ce:GetCostAndUsageWithResources",
    "ce:GetCostForecast",
    "ce:GetDimensionValues",
    "ce:GetReservationUtilization",
    "ce:GetSavingsPlansUtilization",
    "ce:GetTags",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
    "cloudwatch:PutMetricData",
    "dynamodb:ListTables",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ecr:GetAuthorizationToken",
    "iam:ListAccountAliases",
    "iam:ListPolicies",
    "iam:ListRoles",
    "kms:ListAliases",
    "kms:ListKeys",
    "lambda:ListFunctions",
    "pricing:GetProducts",
    "s3:ListAllMyBuckets",
    "secretsmanager:ListSecrets",
    "sns:ListTopics",
    "sqs:ListQueues",
    "ssm:DescribeParameters",
    "sts:GetCallerIdentity",
    "tag:GetResources",
    "xray:GetSamplingRules",
    "xray:GetSamplingStatisticSummaries",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
];

const STAR_ONLY = new Set(STAR_ONLY_ACTIONS.map((a) => a.toLowerCase()));

/** Whether AWS grants `action` only on "*" (IAM action names are case-insensitive). */
export function isStarOnlyAction(action: string): boolean {
    return STAR_ONLY.has(action.toLowerCase());
}
