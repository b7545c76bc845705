/**
 * New messages and assignments ring (a short WebAudio beep) and raise a browser Notification, as the
 * agent's `preferences.notifications` (`sound`, `push`) say. Browsers only let a page make sound
 * after a user gesture: the AudioContext is unlocked on the first click or key press.
 */
let context: AudioContext | undefined;

function audio(): AudioContext | undefined {
  if (context) return context;
  const Ctor =
    window.AudioContext ??
    (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return undefined;
  context = new Ctor();
  return context;
}

/** Call once: unlocks sound on the first user gesture. */
export function installAudioUnlock(): void {
  const unlock = () => {
    const ctx = audio();
    if (ctx?.state === 'suspended') void ctx.resume();
    window.removeEventListener('pointerdown', unlock);
    window.removeEventListener('keydown', unlock);
  };
  window.addEventListener('pointerdown', unlock);
  window.addEventListener('keydown', unlock);
}

let lastBeep = 0;

/** A short two-tone beep (~0.25 s); a burst of alerts rings once a second at most. */
export function beep(): void {
  const ctx = audio();
  if (!ctx) return;
  if (Date.now() - lastBeep < 1_000) return;
  lastBeep = Date.now();
  if (ctx.state === 'suspended') void ctx.resume();
  const start = ctx.currentTime;
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
  gain.connect(ctx.destination);
  const osc = ctx.createOscillator();
  osc.type = 'sine';
  osc.frequency.setValueAtTime(880, start);
  osc.frequency.setValueAtTime(1175, start + 0.1);
  osc.connect(gain);
  osc.start(start);
  osc.stop(start + 0.26);
}

export function notificationsSupported(): boolean {
  return typeof window.Notification === 'function';
}

export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

export async function requestNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

export interface AlertPreferences {
  sound: boolean;
  push: boolean;
}

/** Rings and/or notifies; clicking the notification focuses the tab and opens `onClick`. */
export function raiseAlert(
  prefs: AlertPreferences,
  alert: { title: string; body?: string; tag?: string; onClick?: () => void },
): void {
  if (prefs.sound) beep();
  if (prefs.push && notificationsSupported() && Notification.permission === 'granted') {
    try {
      const n = new Notification(alert.title, {
        ...(alert.body ? { body: alert.body } : {}),
        ...(alert.tag ? { tag: alert.tag } : {}),
      });
      n.onclick = () => {
        window.focus();
        alert.onClick?.();
        n.close();
      };
    } catch {
      // some browsers only allow notifications from a service worker
    }
  }
}
