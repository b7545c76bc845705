/**
 * The Mailer over SMTP with nodemailer: `SMTP_URL` (`smtp://user:pass@host:587`, or `smtps://` for
 * TLS from the first byte) and `SMTP_FROM` (the sender address). Connections are pooled; a send
 * that the server refuses, or that cannot reach it within the timeouts, rejects.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../../application/ports/mailer.js';

export interface SmtpMailerOptions {
  url: string;
  from: string;
  /** Connection / greeting / socket timeouts, ms (default 10 s). */
  timeoutMs?: number;
}

export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;

  constructor(private readonly options: SmtpMailerOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    const url = new URL(options.url);
    this.#transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      // Servers without STARTTLS (a local relay, the test server) are used in plain text.
      ignoreTLS: url.searchParams.get('tls') === 'off',
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      pool: true,
      maxConnections: 2,
    });
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
  }

  close(): void {
    this.#transport.close();
  }
}
