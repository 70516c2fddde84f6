/** Tencent Hunyuan ChatCompletions (API 2023-09-01) shapes: https://cloud.tencent.com/document/api/1729/105701 */

export interface TencentToolCall {
  Id: string;
  Type: 'function';
  Function: { Name: string; Arguments: string };
  Index?: number;
}

export interface TencentMessage {
  Role: 'system' | 'user' | 'assistant' | 'tool';
  Content?: string;
  ToolCalls?: TencentToolCall[];
  ToolCallId?: string;
}

export interface TencentTool {
  Type: 'function';
  /** `Parameters` is the JSON schema as a string. */
  Function: { Name: string; Parameters: string; Description?: string };
}

export interface TencentChatRequest {
  Model: string;
  Messages: TencentMessage[];
  Stream?: boolean;
  Temperature?: number;
  TopP?: number;
  Tools?: TencentTool[];
  ToolChoice?: 'none' | 'auto' | 'custom';
  CustomTool?: TencentTool;
  Stop?: string[];
  Seed?: number;
}

export interface TencentUsage {
  PromptTokens?: number;
  CompletionTokens?: number;
  TotalTokens?: number;
}

export interface TencentChoice {
  FinishReason?: string;
  Message?: { Role?: string; Content?: string; ToolCalls?: TencentToolCall[] };
  Delta?: { Role?: string; Content?: string; ToolCalls?: TencentToolCall[] };
}

/** A reply body is `{Response: TencentChatResponse}`; a stream event is the inner object itself. */
export interface TencentChatResponse {
  Id?: string;
  Created?: number;
  Choices?: TencentChoice[];
  Usage?: TencentUsage;
  Error?: { Code?: string; Message?: string };
  RequestId?: string;
}

/** The channel key `AppId|SecretId|SecretKey`, as One API stores it. */
export interface TencentCredentials {
  secretId: string;
  secretKey: string;
}
