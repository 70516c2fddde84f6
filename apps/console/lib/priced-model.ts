/** One row of `GET /api/user/models`: prices in quota per million tokens. */
export interface PricedModel {
  model: string;
  model_ratio: number;
  completion_ratio: number;
  group_ratio: number;
  input_quota_per_1m: number;
  output_quota_per_1m: number;
  endpoints: string[];
}
