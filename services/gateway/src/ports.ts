import type { PublishInput } from '@pixsim/bus';
import type { EventType } from '@pixsim/contracts';

/** Publishes one event durably, or throws (DependencyDownError when Redis did not take it). */
export type Publish = <T extends EventType>(input: PublishInput<T>) => Promise<void>;

export type Clock = () => Date;

/** Mints ids (ULIDs: sortable by creation time). */
export type NewId = () => string;
