/** Replicate predictions (https://replicate.com/docs/reference/http#models.predictions.create), the chat parts. */

export interface ReplicateChatInput {
  prompt: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop_sequences?: string;
}

export interface ReplicatePredictionRequest {
  input: ReplicateChatInput;
}

export interface ReplicatePrediction {
  id?: string;
  status?: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  /** Language models answer a list of text pieces (sometimes one string). */
  output?: string[] | string | null;
  error?: string | null;
  metrics?: { input_token_count?: number; output_token_count?: number };
}
