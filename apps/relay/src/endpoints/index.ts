import { audioSpeech } from './audio-speech';
import { audioTranscriptions, audioTranslations } from './audio-transcription';
import { chat } from './chat';
import { completions } from './completions';
import { edits } from './edits';
import { embeddings } from './embeddings';
import type { Endpoint } from './endpoint';
import { images } from './images';
import { messages } from './messages';
import { imagesEdits, imagesVariations } from './images-edits';
import { moderations } from './moderations';
import { responses } from './responses';
import { rerank } from './rerank';

export type { Bill, Endpoint, Priced, Produced, ReplyKind } from './endpoint';

/** Every POST endpoint the relay serves, one file each. */
export const ENDPOINTS: readonly Endpoint[] = [chat, completions, embeddings, moderations, images, audioSpeech, audioTranscriptions, audioTranslations, edits, rerank, imagesEdits, imagesVariations, responses, messages];

export { embeddings };
