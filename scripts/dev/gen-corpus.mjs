#!/usr/bin/env node
// Generates tests/vectors/corpus.jsonl: thousands of varied SMS texts, one {"text": ...} per line,
// for the agreement test (tests/node/agreement.test.mjs) and the benchmark (scripts/bench-segments).
// Deterministic: a seeded PRNG and fixed tables, so the committed file only changes when this
// script does. Run: node scripts/dev/gen-corpus.mjs [out]   (default tests/vectors/corpus.jsonl)
//
// What it covers (see ../shared/SEGMENTS.md): GSM-7 lengths densely from 0 to 1,600 with every
// segment boundary, UCS-2 lengths around every 70/67-unit boundary, extension characters and
// emoji placed on each side of each boundary, flags, skin tones, ZWJ sequences of old and new
// Unicode, keycaps, tag sequences, combining marks, CR/LF/CRLF, every Smart Encoding character,
// many scripts, and realistic field-service texts.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const SmartEncodingMap = require('sms-segments-calculator/dist/libs/SmartEncodingMap.js').default;

// mulberry32: small, fast, good enough for test data, and the same everywhere.
let seed = 0x5e9a11ce;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (a) => a[int(a.length)];

const GSM_BASIC =
  '\n\r !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz' +
  '¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ';
const GSM_EXT = '\f^{}\\[~]|€';
const WORDS = ('your technician is on the way arriving at between am pm today tomorrow please reply ' +
  'confirm cancel reschedule invoice paid balance due thanks for choosing us gate code door ' +
  'furnace filter water heater leak drain inspection estimate quote appointment window crew truck ' +
  'parking driveway backyard dog pets locked key lockbox tenant landlord unit suite building').split(' ');
const NAMES = ['Maria', 'José', 'Zoë', 'Björn', 'Łukasz', 'Siobhán', 'Nguyễn', 'Ahmed', 'Chloé', 'Dave',
  'Renée', 'François', 'Ingrid', 'Søren', 'Ayşe', 'Mikael', 'Priya', 'Kenji', 'Olga', 'Tom'];
const STREETS = ['Maple Ave', 'Rue de la Paix', 'Calle Mayor', 'Hauptstraße', 'Elm St', 'Kings Rd',
  'Ocean Blvd', 'Via Roma', 'Oak Lane', 'Łąkowa', 'Ñandú Way', 'Østergade'];

// Emoji and other clusters, in families (the comments name the Unicode version that made them).
const EMOJI_OLD = ['😀', '👍', '🔧', '🚚', '🏠', '📅', '✅', '❌', '⏰', '💧', '🔥', '❄️', '☀️', '⚡', '🛠️', '📞', '😊', '🙏', '👋', '💡'];
const EMOJI_NEW = ['🫠', '🥲', '🫶', '🩷', '🫎', '🪿', '🪼', '🫨', '🪛', '🪜', '🧰', '🦺', '🥽', '🪠']; // 11.0-15.0
const SKIN = ['🏻', '🏼', '🏽', '🏾', '🏿'];
const SKIN_BASES = ['👍', '👋', '🙏', '👷', '💪', '👌', '🤝', '🫶', '🫰', '🧑‍🔧'];
const ZWJ_OLD = ['👨‍👩‍👧‍👦', '👩‍🔧', '👨‍🔧', '🏳️‍🌈', '👨‍💻', '👩‍❤️‍👨', '👁️‍🗨️', '🏃‍♀️', '👷‍♂️']; // Unicode 9/10
const ZWJ_NEW = ['🧑‍🤝‍🧑', '❤️‍🔥', '❤️‍🩹', '🧑‍🔧', '🐻‍❄️', '😮‍💨', '😵‍💫', '🐦‍⬛', '🧑‍🚒', '🏳️‍⚧️', '🐦‍🔥', '🍋‍🟩']; // 12-15.1
const FLAGS = ['🇺🇸', '🇬🇧', '🇨🇦', '🇲🇽', '🇫🇷', '🇩🇪', '🇪🇸', '🇺🇦', '🇯🇵', '🇧🇷', '🇮🇳', '🇦🇺'];
const TAG_FLAGS = ['🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '🏴󠁧󠁢󠁷󠁬󠁳󠁿'];
const KEYCAPS = ['#️⃣', '*️⃣', '0️⃣', '1️⃣', '2️⃣', '3️⃣', '9️⃣', '#⃣', '1⃣'];
const COMBINING = ['e\u0301', 'a\u0300', 'n\u0303', 'o\u0308', 'c\u0327', 'u\u0308\u0301', 'A\u030A', 'i\u0302',
  'e\u0323\u0302', 'a\u0306\u0301', 'z\u0335', 'x\u20DD', '\u0301', 'Z\u0351\u0352\u0353\u0354'];
const HANGUL_JAMO = ['\u1100\u1161', '\u1100\u1161\u11A8', '\u1112\u1161\u11AB', '\uAC00\u11A8'];
const MISC_SYMBOLS = ['©', '®', '™', '°', '±', '×', '½', '¼', '→', '•', '…', '–', '—', '’', '“', '”', '¢',
  '₹', '₽', '¥', '฿', '₩', '₺', '‰', '№', '✓', '★', '♥', '☎', '✆', '\u00A0', '\u2009', '\u200B', '\u200D',
  '\uFEFF', '\u00AD', '`', '\t', 'ç', '\u0000', '\u007F', '\uFFFD', '𝐀', '𝟘', '𠜎', '𝄞'];

const LANG = {
  es: ['Su técnico llegará entre las 9 y las 11. ¿Confirma la cita?', 'Gracias por elegirnos. Factura pagada: 120 €.', 'El código de la puerta es 4821. ¡Hasta mañana!'],
  fr: ['Votre technicien arrive dans 20 minutes. Merci de laisser le portail ouvert.', 'Rendez-vous confirmé pour jeudi à 14 h. Coût estimé : 89,50 €.', 'Ça marche, à demain ! Évitez de garer devant le garage.'],
  de: ['Ihr Techniker ist unterwegs und kommt gegen 10:30 Uhr.', 'Bitte bestätigen Sie den Termin: Mittwoch, 8–10 Uhr. Grüße', 'Rechnung über 249,00 € ist fällig. Schöne Grüße aus Köln'],
  pt: ['Seu técnico está a caminho. Previsão: 15 minutos.', 'Olá! A visita foi remarcada para sábado às 9h. Obrigado!', 'Orçamento aprovado: R$ 350,00. Pagamento na conclusão.'],
  it: ['Il tecnico arriverà alle 15:00. Può confermare?', 'Perché la caldaia perde? Serve un sopralluogo.'],
  pl: ['Technik będzie u Pana za 30 minut. Dziękujemy!', 'Proszę potwierdzić wizytę: środa, godz. 12:00. Kod do bramy: 1234.'],
  tr: ['Teknisyeniniz yolda, yaklaşık 20 dakika içinde orada olacak.', 'Randevunuz çarşamba günü saat 10:00 için onaylandı. Teşekkürler!'],
  vi: ['Kỹ thuật viên đang trên đường đến. Cảm ơn quý khách!', 'Lịch hẹn của bạn: thứ Hai lúc 9 giờ sáng. Vui lòng xác nhận.'],
  el: ['Ο τεχνικός σας έρχεται σε 15 λεπτά. Ευχαριστούμε!', 'Παρακαλώ επιβεβαιώστε το ραντεβού για την Τρίτη.', 'ΓΔΘΛΞΠΣΦΨΩ στο ΔΣ'],
  ru: ['Ваш мастер выехал и будет через 20 минут.', 'Пожалуйста, подтвердите визит во вторник в 10:00. Спасибо!'],
  uk: ['Ваш майстер уже в дорозі. Дякуємо, що обрали нас!', 'Код від хвіртки: 5590. Гарного дня!'],
  ar: ['الفني في الطريق إليك وسيصل خلال ٢٠ دقيقة.', 'يرجى تأكيد موعدك يوم الثلاثاء الساعة ١٠ صباحاً. شكراً!'],
  he: ['הטכנאי בדרך ויגיע בעוד 15 דקות.', 'נא לאשר את התור ליום שלישי בשעה 10:00. תודה!'],
  fa: ['تکنسین شما در راه است. متشکریم!', 'لطفاً قرار ملاقات را تأیید کنید.'],
  hi: ['आपका तकनीशियन रास्ते में है और 20 मिनट में पहुंचेगा।', 'कृपया मंगलवार सुबह 10 बजे की अपॉइंटमेंट की पुष्टि करें। धन्यवाद!', 'क्षत्रिय श्रृंखला द्वार'],
  bn: ['আপনার টেকনিশিয়ান পথে আছেন। ধন্যবাদ!', 'অনুগ্রহ করে আপনার অ্যাপয়েন্টমেন্ট নিশ্চিত করুন।'],
  ta: ['உங்கள் தொழில்நுட்ப வல்லுநர் வழியில் இருக்கிறார்.', 'நன்றி! உங்கள் சந்திப்பை உறுதிப்படுத்தவும்.'],
  te: ['మీ టెక్నీషియన్ దారిలో ఉన్నారు.', 'దయచేసి మీ అపాయింట్‌మెంట్‌ను నిర్ధారించండి.'],
  th: ['ช่างของคุณกำลังเดินทางไป จะถึงในอีก 20 นาที', 'กรุณายืนยันนัดหมายวันอังคาร เวลา 10:00 น. ขอบคุณค่ะ'],
  zh: ['您的技术员正在路上，预计20分钟后到达。', '请确认您周二上午10点的预约。谢谢！', '發票已付清，感謝您的惠顧。'],
  ja: ['技術者が向かっています。約20分で到着します。', '火曜日午前10時のご予約を確認してください。ありがとうございます！', 'ｶﾞｽ点検のお知らせ'],
  ko: ['기사님이 가는 중입니다. 약 20분 후 도착 예정입니다.', '화요일 오전 10시 예약을 확인해 주세요. 감사합니다!'],
  tl: ['Ang inyong technician ay papunta na. Salamat po!', 'Pakikumpirma ang inyong appointment sa Martes.'],
  sw: ['Fundi wako yuko njiani. Asante kwa kutuchagua!'],
  am: ['ቴክኒሻኑ በመንገድ ላይ ነው። እናመሰግናለን!'],
  ka: ['თქვენი ტექნიკოსი გზაშია. გმადლობთ!'],
  hy: ['Ձեր տեխնիկը ճանապարհին է։ Շնորհակալություն։'],
  km: ['អ្នកបច្ចេកទេសរបស់អ្នកកំពុងធ្វើដំណើរមក។'],
  my: ['သင့်နည်းပညာရှင် လမ်းပေါ်မှာ ရှိပါတယ်။'],
  si: ['ඔබගේ කාර්මිකයා පැමිණෙමින් සිටී.'],
  nl: ['Uw monteur is onderweg. Tot zo! Kosten: € 75,-'],
  da: ['Din tekniker er på vej. Tak for at vælge os! Pris: 450 kr.'],
  cs: ['Váš technik je na cestě. Děkujeme! Kód brány: 7788.'],
  ro: ['Tehnicianul dumneavoastră este pe drum. Mulțumim!'],
  hu: ['A szerelő úton van, kb. 20 perc múlva érkezik. Köszönjük!'],
};
const LANG_KEYS = Object.keys(LANG);

function gsmFiller(n, alphabet) {
  let s = '';
  while (s.length < n) {
    if (alphabet) s += alphabet[int(alphabet.length)];
    else s += (s ? ' ' : '') + pick(WORDS);
  }
  return s.slice(0, n);
}

function fieldService() {
  const name = pick(NAMES), street = pick(STREETS), h = 7 + int(11), m = pick(['00', '15', '30', '45']);
  const price = `${pick(['$', '€', '£', ''])}${10 + int(990)}${pick(['', '.00', '.50', ',00', '.99'])}${pick(['', ' USD', ' €', ''])}`;
  const gate = String(1000 + int(9000));
  const t = [
    `Hi ${name}, this is a reminder of your appointment tomorrow between ${h}:${m} and ${h + 2}:${m}. Reply C to confirm or R to reschedule.`,
    `${name} is on the way! ETA ${5 + int(40)} min. Truck: white van #${int(90) + 10}.`,
    `Your technician ${name} has arrived at ${int(900) + 100} ${street}. Gate code ${gate}#, please keep pets inside.`,
    `Estimate for the repair: ${price}. Reply YES to approve. Questions? Call (555) 0${int(99)}-${gate}.`,
    `Invoice #${int(99999)} paid: ${price}. Thank you for choosing Ace Plumbing & Heating!`,
    `Gate code is ${gate}* and the lockbox is {${int(9999)}} [blue box by the side door] ~ thanks`,
    `Reminder: annual furnace tune-up on ${pick(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])} ${1 + int(28)}/${1 + int(12)} at ${h}${pick(['am', 'pm', ' Uhr', 'h'])}. Cost £${49 + int(50)} | Reply STOP to opt out`,
    `${name}: running ${5 + int(30)} minutes late, sorry! ${pick(EMOJI_OLD)}`,
    `Thanks ${name}! We’ve received your payment of ${price}. Your receipt: https://pay.example.com/r/${gate}${int(999)}`,
    `Hola ${name}, su técnico llegará a las ${h}:${m}. Código de la reja: ${gate}. ¡Gracias!`,
    `Job complete ✅ Water heater flushed, anode rod replaced. Total ${price}. Rate us ⭐⭐⭐⭐⭐`,
    `Your crew is ${pick(['en route', 'on site', 'finishing up'])}. Please move the car from the driveway 🚗`,
    `Appt confirmed: ${h}:${m}–${h + 1}:${m} @ ${street}. Parking: use the back alley (code ^${gate}^).`,
    `Quote: labour ${price}\nparts €${int(300)}\r\nTotal due on completion. Reply 1 to accept, 2 to decline.`,
    `“Your tech is here” – ${name} at the front door… please let them in.`,
    `${name} 👷🏽‍♂️ is 10 min away 🚚💨 see you soon!`,
  ];
  return pick(t);
}

function mixed(n) {
  // A random text of about n UTF-16 units drawn from every family.
  let s = '';
  while (s.length < n) {
    const r = int(20);
    if (r < 6) s += ' ' + pick(WORDS);
    else if (r < 7) s += pick(EMOJI_OLD);
    else if (r < 8) s += pick(EMOJI_NEW);
    else if (r < 9) s += pick(SKIN_BASES) + pick(SKIN);
    else if (r < 10) s += pick(rand() < 0.5 ? ZWJ_OLD : ZWJ_NEW);
    else if (r < 11) s += pick(rand() < 0.8 ? FLAGS : TAG_FLAGS);
    else if (r < 12) s += pick(KEYCAPS);
    else if (r < 13) s += pick(COMBINING);
    else if (r < 14) s += pick(MISC_SYMBOLS);
    else if (r < 15) s += pick(['\r\n', '\n', '\r', '\n\n']);
    else if (r < 16) s += GSM_EXT[int(GSM_EXT.length)];
    else if (r < 17) s += pick(LANG[pick(LANG_KEYS)]);
    else if (r < 18) s += pick(HANGUL_JAMO);
    else s += GSM_BASIC[int(GSM_BASIC.length)];
  }
  return s;
}

const out = [];
const add = (text) => out.push(text);

// 1. GSM-7 lengths: every length 0..480 (boundaries 160/161, 306/307, 459/460), then a dense
//    sample up to 1,601 with every length within 4 of each 153-septet boundary.
for (let n = 0; n <= 480; n++) add(gsmFiller(n, n % 3 === 0 ? GSM_BASIC : null));
const bounds = new Set([1600, 1601]);
for (let k = 3; k <= 11; k++) for (let d = -4; d <= 4; d++) bounds.add(153 * k + d);
for (let n = 481; n <= 1601; n++) if (n % 9 === 0 || bounds.has(n)) add(gsmFiller(n, n % 2 ? GSM_BASIC : null));

// 2. Extension characters on each side of each boundary: a GSM text of total septets around a
//    boundary, with one extension character whose first septet lands at position p.
for (const b of [153, 160, 306, 459, 612]) {
  for (let p = b - 3; p <= b + 2; p++) {
    for (const total of [b, b + 1, b + 2, b + 9]) {
      if (p + 2 > total) continue;
      const ext = GSM_EXT[int(GSM_EXT.length)];
      add('a'.repeat(p) + ext + 'b'.repeat(total - p - 2));
    }
  }
}
// Runs of extension characters alone (each costs 2 septets), around 80/160 and 153.
for (let n = 75; n <= 160; n++) if (n <= 82 || (n >= 150 && n <= 158)) add(gsmFiller(n, GSM_EXT));

// 3. UCS-2 lengths: one non-GSM character in texts of every length 1..300 units, then around each
//    67-unit boundary up to 1,600.
for (let n = 1; n <= 300; n++) add('ç' + gsmFiller(n - 1, n % 2 ? GSM_BASIC : null));
for (let k = 5; k <= 24; k++) for (let d = -2; d <= 2; d++) add(gsmFiller(67 * k + d - 1, null) + '→');

// 4. Surrogate pairs and clusters on each side of each UCS-2 boundary (70 single, 67 multi).
const BIG = [...EMOJI_OLD.slice(0, 4), '🫠', '👍🏽', '🇺🇸', '#️⃣', '👨‍👩‍👧‍👦', '🧑‍🤝‍🧑', '❤️‍🔥', 'e\u0301', '𠜎'];
for (const b of [67, 70, 134, 201]) {
  for (let p = b - 4; p <= b + 1; p++) {
    for (const e of BIG) {
      const tail = int(3) === 0 ? 0 : 1 + int(80);
      add('x'.repeat(p) + e + 'y'.repeat(tail));
    }
  }
}

// 5. Emoji families alone and repeated (skin tones, ZWJ of old and new Unicode, flags, keycaps).
for (const e of [...EMOJI_OLD, ...EMOJI_NEW, ...ZWJ_OLD, ...ZWJ_NEW, ...FLAGS, ...TAG_FLAGS, ...KEYCAPS]) {
  add(e);
  add(`Thanks! ${e}`);
  add(e.repeat(1 + int(40)));
}
for (const b of SKIN_BASES) for (const t of SKIN) add(`${pick(WORDS)} ${b}${t} ${pick(WORDS)}`);
add('🇺🇸🇬🇧🇫'); // an odd regional indicator
add('🇺'.repeat(7));
add('🏻 skin tone alone');
add('\u200D\u200D👍\u200D');

// 6. Combining marks, Hangul jamo, CR/LF/CRLF in every arrangement.
for (const c of [...COMBINING, ...HANGUL_JAMO]) {
  add(c);
  add(`Caf${c} ${pick(WORDS)}`);
  add(c.repeat(20 + int(150)));
}
add('a\u0301'.repeat(150));
add('e' + '\u0301'.repeat(200)); // a cluster longer than one segment
add('Z' + '\u0351'.repeat(66));
add('Z' + '\u0351'.repeat(67));
for (const nl of ['\n', '\r', '\r\n', '\n\r', '\r\r\n']) {
  for (const n of [1, 79, 80, 81, 152, 153, 159, 160, 161]) add(`Line${nl}`.repeat(Math.ceil(n / 5)).slice(0, n));
  add(`Hi,${nl}your tech is on the way.${nl}${nl}Thanks!`);
  add(`Hi,${nl}café →${nl}bye`);
}

// 7. Every Smart Encoding character: alone, inside GSM text, inside UCS-2 text, and at a boundary.
const smartKeys = Object.keys(SmartEncodingMap).sort();
for (const k of smartKeys) {
  add(k);
  add(`Your tech${k}s here ${k} ok`);
  add(`${k} 😀 ${k}`);
  add('a'.repeat(158 + int(4)) + k + 'b'.repeat(int(3)));
}
add(smartKeys.join(''));
add(smartKeys.join(' '));

// 8. Languages and scripts: each phrase, then random mixes of growing length.
for (const k of LANG_KEYS) for (const p of LANG[k]) add(p);
for (let i = 0; i < 500; i++) {
  const lang = LANG[pick(LANG_KEYS)];
  let s = '';
  const n = 20 + int(i % 5 === 0 ? 900 : 300);
  while (s.length < n) s += (s ? ' ' : '') + pick(lang);
  add(s);
}

// 9. Field-service texts, alone and joined into longer messages.
for (let i = 0; i < 900; i++) {
  let s = fieldService();
  if (i % 4 === 0) s += ' ' + fieldService();
  if (i % 25 === 0) s += '\n' + fieldService() + '\n' + fieldService();
  add(s);
}

// 10. Random mixes of everything, short and long.
for (let i = 0; i < 700; i++) add(mixed(i % 10 === 0 ? 300 + int(1300) : 1 + int(300)));

// 11. GSM text with a few extension characters, lengths 140..620.
for (let i = 0; i < 200; i++) {
  const n = 140 + int(480);
  let s = gsmFiller(n, null).split('');
  for (let j = int(6); j > 0; j--) s[int(s.length)] = GSM_EXT[int(GSM_EXT.length)];
  add(s.join(''));
}

const file = resolve(root, process.argv[2] || 'tests/vectors/corpus.jsonl');
const body = out.map((text) => JSON.stringify({ text })).join('\n') + '\n';
writeFileSync(file, body);
const units = out.reduce((a, t) => a + t.length, 0);
console.log(`${out.length} messages, mean ${(units / out.length).toFixed(0)} UTF-16 units, ${Buffer.byteLength(body)} bytes -> ${file}`);
