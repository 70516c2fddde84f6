/** One API's numeric codes, kept so its databases import unchanged (SPEC section 4). */

export enum Role {
  Guest = 0,
  Common = 1,
  Admin = 10,
  Root = 100,
}

export enum UserStatus {
  Enabled = 1,
  Disabled = 2,
  Deleted = 3,
}

export enum TokenStatus {
  Enabled = 1,
  Disabled = 2,
  Expired = 3,
  Exhausted = 4,
}

export enum ChannelStatus {
  Unknown = 0,
  Enabled = 1,
  ManuallyDisabled = 2,
  AutoDisabled = 3,
}

export enum RedemptionStatus {
  Enabled = 1,
  Disabled = 2,
  Used = 3,
}

export enum LogType {
  Unknown = 0,
  Topup = 1,
  Consume = 2,
  Manage = 3,
  System = 4,
  Test = 5,
}

/** Length of the random part of a token key (shown to users as `sk-<key>`). */
export const TOKEN_KEY_LENGTH = 48;
/** Length of a redemption code key. */
export const REDEMPTION_KEY_LENGTH = 32;
