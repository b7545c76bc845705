/** Outgoing e-mail (agent notifications). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Sends one message; rejects when the mail server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** Releases pooled connections (on shutdown). */
  close?(): void;
}
