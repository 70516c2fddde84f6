/** AIProxy's knowledge-base ask API (One API's relay/adaptor/aiproxy), the fields the relay uses. */

export interface LibraryRequest {
  model: string;
  query: string;
  libraryId: string;
  stream: boolean;
}

export interface LibraryDocument {
  title: string;
  url: string;
}

export interface LibraryResponse {
  success?: boolean;
  answer?: string;
  documents?: LibraryDocument[];
  errCode?: number;
  message?: string;
}

export interface LibraryStreamEvent {
  content?: string;
  finish?: boolean;
  model?: string;
  documents?: LibraryDocument[];
}
