/** DeepL translate API (https://developers.deepl.com/docs/api-reference/translate). */

export interface DeepLRequest {
  text: string[];
  target_lang: string;
}

export interface DeepLResponse {
  translations?: { detected_source_language?: string; text?: string }[];
  message?: string;
}
