/** Prices of the services the pipeline uses, as `bench/prices.json` has them. */
export interface PriceTable {
  readonly region: string;
  readonly recordedOn: string;
  readonly prices: {
    readonly dynamoDbWriteRequestUnit: { readonly usdPerMillion: number };
    readonly dynamoDbReadRequestUnit: { readonly usdPerMillion: number };
    readonly sqsRequest: { readonly usdPerMillion: number };
    readonly lambdaRequest: { readonly usdPerMillion: number };
    readonly lambdaArmGbSecond: { readonly usd: number };
    readonly cloudWatchLogsIngestionGb: { readonly usd: number };
    readonly httpApiRequest: { readonly usdPerMillion: number };
  };
}

/** Billable usage per file, averaged over a run. */
export interface UsagePerFile {
  readonly dynamoDbWriteUnits: number;
  readonly dynamoDbReadUnits: number;
  /** SQS requests, each payload under 64 KiB, so one billed request each. */
  readonly sqsRequests: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly logBytes: number;
  readonly httpApiRequests: number;
}

/** One line of a cost breakdown. */
export interface CostLine {
  readonly item: keyof UsagePerFile;
  /** Usage for one million files, in the unit of the price. */
  readonly quantity: number;
  readonly usd: number;
}

/** Cost of one million files, line by line. */
export interface CostBreakdown {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
}

/** CloudWatch bills log ingestion per GB of 2^30 bytes. */
const bytesPerGb = 1024 ** 3;
const million = 1_000_000;

/**
 * Computes what one million files cost from the usage per file and the
 * price table, without free tiers.
 */
export function costPerMillionFiles(
  usage: UsagePerFile,
  table: PriceTable,
): CostBreakdown {
  const { prices } = table;
  const perMillion = (units: number, usdPerMillion: number) => ({
    quantity: units * million,
    usd: units * usdPerMillion,
  });
  const lines: CostLine[] = [
    {
      item: 'dynamoDbWriteUnits',
      ...perMillion(
        usage.dynamoDbWriteUnits,
        prices.dynamoDbWriteRequestUnit.usdPerMillion,
      ),
    },
    {
      item: 'dynamoDbReadUnits',
      ...perMillion(
        usage.dynamoDbReadUnits,
        prices.dynamoDbReadRequestUnit.usdPerMillion,
      ),
    },
    {
      item: 'sqsRequests',
      ...perMillion(usage.sqsRequests, prices.sqsRequest.usdPerMillion),
    },
    {
      item: 'lambdaInvocations',
      ...perMillion(
        usage.lambdaInvocations,
        prices.lambdaRequest.usdPerMillion,
      ),
    },
    {
      item: 'lambdaGbSeconds',
      quantity: usage.lambdaGbSeconds * million,
      usd: usage.lambdaGbSeconds * million * prices.lambdaArmGbSecond.usd,
    },
    {
      item: 'logBytes',
      quantity: (usage.logBytes * million) / bytesPerGb,
      usd:
        ((usage.logBytes * million) / bytesPerGb) *
        prices.cloudWatchLogsIngestionGb.usd,
    },
    {
      item: 'httpApiRequests',
      ...perMillion(usage.httpApiRequests, prices.httpApiRequest.usdPerMillion),
    },
  ];

  return {
    lines,
    totalUsd: lines.reduce((sum, line) => sum + line.usd, 0),
  };
}
