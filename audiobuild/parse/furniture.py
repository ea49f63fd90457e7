"""Site furniture: the lines of a page that are not the article, and the article's date among them.

A line is furniture by what it is (a share button, a menu, a time stamp, a
banner), in any of the languages the parser knows: English, Russian, German,
French and Spanish. Whether a short line is furniture by *where* it is (above
the headline, after the last turn) is the zones' business.
"""

from __future__ import annotations

import re

from audiobuild.parse.text import fold

# ---------------------------------------------------------------------------
# Dates and times

MONTHS = {
    1: "jan january janv janvier ene enero januar jän jänner январь января янв gennaio gen janeiro stycznia "
    "styczeń sty січня січень січ",
    2: "feb february fév févr février febrero februar февраль февраля фев febbraio fevereiro fev lutego luty "
    "lut лютого лютий лют",
    3: "mar march mars marzo märz мар март марта março marca marzec березня березень бер",
    4: "apr april avr avril abr abril апр апрель апреля aprile kwietnia kwiecień kwi квітня квітень квіт",
    5: "may mai mayo май мая maggio mag maio maja maj травня травень трав",
    6: "jun june juin junio juni июн июнь июня giugno giu junho czerwca czerwiec cze червня червень черв",
    7: "jul july juil juillet julio juli июл июль июля luglio lug julho lipca lipiec lip липня липень лип",
    8: "aug august août ago agosto авг август августа sierpnia sierpień sie серпня серпень серп",
    9: "sep sept september septembre septiembre setiembre сен сент сентябрь сентября settembre set setembro "
    "września wrzesień wrz вересня вересень вер",
    10: "oct october octobre octubre okt oktober окт октябрь октября ottobre ott outubro out października "
    "październik paź жовтня жовтень жовт",
    11: "nov november novembre noviembre ноя нояб ноябрь ноября novembro listopada listopad lis листопада "
    "листопад лист",
    12: "dec december déc décembre dic diciembre dez dezember дек декабрь декабря dicembre dezembro grudnia "
    "grudzień gru грудня грудень груд",
}
_MONTH_NUMBER = {name: number for number, names in MONTHS.items() for name in names.split()}
_MONTH = r"(?:" + "|".join(sorted(map(re.escape, _MONTH_NUMBER), key=len, reverse=True)) + r")\.?"
WEEKDAY = (
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?|montag|dienstag|mittwoch|donnerstag|"
    r"freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|"
    r"jueves|viernes|sábado|domingo|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
)
# A time of day, perhaps with its zone in capitals ("1:04 P.M. EDT", "06:00 Uhr", "08:30 CET").
_ZONES = "EDT EST CDT CST MDT MST PDT PST ET CT MT PT CET CEST EET EEST WET WEST GMT UTC BST IST JST KST MSK AEST AEDT"
CLOCK = (
    r"\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?:uhr|h|hrs|Uhr))?"
    rf"(?:\s+(?-i:{'|'.join(_ZONES.split())})\b)?"
)
_DAY_MONTH = rf"\d{{1,2}}\.?(?:er|º|°)?\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+|del\s+)?\d{{4}}(?:\s*(?:г\.|года|год))?"
_MONTH_DAY = rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
_NUMERIC = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}/\d{1,2}/\d{4}"
DATE = rf"(?:{_DAY_MONTH}|{_MONTH_DAY}|{_NUMERIC})"
_LEGAL_LINKS = (
    r"privacy(?: policy| notice| statement)?|terms(?: of (?:use|service))?|terms and conditions|cookie policy|"
    r"accessibility(?: statement)?|imprint|impressum|datenschutz(?:erklärung)?|barrierefreiheit|"
    r"nutzungsbedingungen|agb|mentions légales|politique de confidentialité|accessibilité|aviso legal|"
    r"política de privacidad|accesibilidad|informativa (?:sulla )?privacy|note legali|accessibilità|"
    r"política de privacidade|termos de uso|acessibilidade|polityka prywatności|deklaracja dostępności|regulamin|"
    r"политика конфиденциальности|пользовательское соглашение|політика конфіденційності|"
    r"умови використання|sitemap|site map"
)
# What a credit line says it credits: "Foto:", "Photo credits:", "Illustrationen".
_PICTURE = (
    r"(?:photo|image|picture|фото|foto|bild|titelbild|titelfoto|bildnachweis|aufmacherbild|illustration|"
    r"photo credit|crédits? photo|crédit|crédito|foto de portada|credito fotografico|zdjęcie|"
    r"header image|cover image|featured image)(?:s|en|es)?"
)
# Words around a date in a "Published ..." line, in every language.
_STAMP_WORDS = (
    r"updated|published|posted(?: on)?|last updated|first published|modified|released|issued|on|at|"
    r"обновлено|опубликовано|дата публикации|дата|"
    r"veröffentlicht(?: am)?|aktualisiert(?: am)?|stand|am|um|den|"
    r"publié(?: le)?|mis à jour(?: le)?|modifié(?: le)?|le|à|"
    r"publicado(?: el)?|actualizado(?: el)?|el|a las|"
    r"yesterday|today|вчера|сегодня|gestern|heute|hier|aujourd'hui|ayer|hoy|g\.|godz\.?|ore|às|o|"
    r"opublikowano|dodano|aktualizacja|pubblicato|aggiornato|publicado em|atualizado em|опубліковано|оновлено|"
    r"додано|" + WEEKDAY
)
_STAMP_GLUE = r"[\s,:|·\-–—/]*"  # possessive where it is used: a separator is never given back


def parse_date(text: str, day_first: bool = False) -> str | None:
    """The ISO date (YYYY-MM-DD) of the first date in `text`: "March 3, 2026", "3 марта 2026 года", "12.05.2026".

    Dates with slashes are day first when `day_first` (everywhere but in American English), else left
    alone: 03/04/2026 is March or April depending on the country.

    >>> parse_date("Published 14:12, 27 August 2025 | Updated 16:40"), parse_date("10 de enero de 2025")
    ('2025-08-27', '2025-01-10')
    """
    for match in re.finditer(DATE, text, re.IGNORECASE):
        found = match.group(0)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", found)
        dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", found)
        if iso:
            year, month, day = (int(part) for part in iso.groups())
        elif dotted:
            day, month, year = (int(part) for part in dotted.groups())
        elif "/" in found:
            if not day_first:
                continue
            day, month, year = (int(part) for part in found.split("/"))
        else:
            words = re.findall(r"\d+|[^\W\d]+", found.casefold())
            numbers = [int(word) for word in words if word.isdigit()]
            month = next((_MONTH_NUMBER[word] for word in words if word in _MONTH_NUMBER), 0)
            day, year = min(numbers), max(numbers)
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


_UPDATED = re.compile(r"^\W*(?:updated|last updated|modified|mis à jour|modifié|aktualisiert|actualizado|обновлено)",
                      re.IGNORECASE)  # fmt: skip


def published_date(text: str, day_first: bool = False) -> str | None:
    """The date a page's date line gives for publication: not the "Updated ..." part's.

    >>> published_date("Updated 13 March 2024 | Published 12 March 2024")
    '2024-03-12'
    """
    parts = [part for part in re.split(r"\s+[|·•]\s+|\s{2,}", text) if part.strip()]
    published = [part for part in parts if not _UPDATED.match(part)]
    return next((date for part in published if (date := parse_date(part, day_first))), None)


# A line that is nothing but dates, times and the words around them ("Published 14:12, 27 August 2025 |
# Updated 16:40"), optionally after a place ("Roubaix, 13 April 2025", "Berlin, Mittwoch, den 12. März 2025").
# Each of its words, dates and numbers is taken whole, once (an atomic group: Python 3.11): a run of digits read
# as any of the ways to cut it into numbers took time exponential in its length (50 digits: 24 s).
_STAMP_LINE = re.compile(
    rf"^(?:(?!.*\b(?:briefing|interview|conference|transcript|hearing|session|episode|press)\b)"
    rf"[^\W\d](?:[\w'’.\-]|\s(?![-–—]\s)){{0,40}}?(?:,|\s[-–—])\s*)?"
    rf"(?:(?>(?:{_STAMP_WORDS}|{DATE}|{_MONTH}|{CLOCK}|\d+(?:\.|er|st|nd|rd|th)?)(?![^\W_])){_STAMP_GLUE}+)++$",
    re.IGNORECASE,
)


def is_date_line(text: str) -> bool:
    """A line of dates and times with the words around them; at least one date or time in it."""
    # "12 жовтня 2025, 21:40 · Спорт · Баскетбол": the date, then the sections the piece is filed under.
    text = _FILED_UNDER.sub("", text)
    return bool(_STAMP_LINE.match(text)) and bool(re.search(rf"{DATE}|{CLOCK}", text, re.IGNORECASE))


_FILED_UNDER = re.compile(r"(?:\s+[·|•]\s+[^\W\d_][\w\- ]{0,30}){1,4}$")


# ---------------------------------------------------------------------------
# Time stamps of recordings

STAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A paragraph that is only a time stamp or a time range: "[00:02:10]", "00:00 - 00:52 (52 sec)", "00:00 / 41:27".
_TIME_STAMP = re.compile(
    rf"^[\[(]?(?:{STAMP}|{CLOCK})[\])]?(?:\s*[-–—/]\s*[\[(]?{STAMP}[\])]?)?(?:\s*\(\d+\s*(?:sec|s|min|seconds?)\))?$",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------
# Furniture by pattern

_SHARE_WORDS = (
    r"share|share this(?: article| story| page| post)?|share on [\w.+ ]{1,20}|shares|"
    r"print|print this(?: article| page)?|"
    r"e-?mail|e-?mail this(?: article)?|tweet|copy link|copy url|save|bookmark|whatsapp|facebook|twitter|x|linkedin|"
    r"telegram|reddit|pinterest|vk|вконтакте|одноклассники|поделиться|печать|версия для печати|"
    r"teilen|seite teilen|drucken|merken|artikel verschenken|verschenken|per e-mail|"
    r"partager|partager sur [\w ]{1,20}|imprimer|envoyer par (?:mail|e-mail|courriel)|offrir cet article|"
    r"compartir|compartir en [\w ]{1,20}|compart[ií]lo(?: en redes)?|compártelo|imprimir|enviar por [\w ]{1,20}|"
    r"udostępnij(?: na [\w ]{1,20})?|wyślij e-?mailem|drukuj|поділитися|друкувати|condividi(?: su [\w ]{1,20})?|"
    r"stampa|partilhar|compartilhar|"
    r"copiar enlace|"
    r"subscribe|подписаться|abonnieren|s'abonner|suscribirse|sign in|log in|login|anmelden|se connecter|"
    r"iniciar sesión|войти|menu|menü|search|suche|rechercher|buscar|поиск|comments?(?: \(\d+\))?|"
    r"комментарии|kommentare|commentaires|comentarios|komentarze|коментарі|commenti|comentários|"
    r"reply|répondre|antworten|responder|ответить|"
    r"follow us(?: on [\w ]{1,20})?|folgen sie uns(?: auf [\w ]{1,20})?|suivez-nous(?: sur [\w ]{1,20})?|"
    r"síguenos(?: en [\w ]{1,20})?|download(?: mp3| pdf| transcript)?|télécharger(?: le pdf)?|herunterladen|"
    r"descargar(?: pdf)?|скачать|pdf|rss|rss feed|listen live|listen on [\w ]{1,25}|play|donate|support us|"
    r"transcript|transkript|transcription|transcripción|расшифровка"
)
_NAVIGATION_WORDS = (
    r"read more|also read|read also|see also|related(?: articles| stories| transcripts| posts)?|more on this story|"
    r"more from [\w ]{1,30}|mehr aus [\w ]{1,30}|mehr zu [\w ]{1,30}|"
    r"altro da [\w ]{1,30}|więcej z [\w ]{1,30}|більше з [\w ]{1,30}|most read|most popular|back to top|"
    r"next post|previous post|"
    r"читайте также|читайте нас в \w+|см\. также|по теме|mehr zum thema|lesen sie auch|das könnte sie interessieren|"
    r"читайте також|дивіться також|czytaj (?:także|też)|zobacz (?:także|też)|leggi anche|leia também|veja também|"
    r"à lire aussi|lire aussi|voir aussi|sur le même sujet|lea también|leer más|te puede interesar|"
    r"más información|ver también|skip to (?:main )?content|skip to transcript|skip to navigation|"
    r"zum inhalt springen|zur startseite|aller au contenu(?: principal)?|passer au contenu|"
    r"ir al contenido(?: principal)?|saltar al contenido|перейти к содержимому|перейти к основному содержанию"
)
_VIEWS = (
    r"views?|reads?|просмотр\w*|перегляд\w*|aufrufe|vues|lecturas|visitas|visualizzazioni|visualizações|"
    r"wyświetle\w*|odsłon\w*"
)
_FURNITURE = [
    (
        re.compile(rf"^\d[\d\s.,]*\s*k?\s*(?:{_VIEWS})$", re.I),
        "view counter",
    ),
    (re.compile(rf"^(?:{_VIEWS})\s*:?\s*\d[\d\s.,]*$", re.I), "view counter"),
    (re.compile(rf"^(?:{_SHARE_WORDS})\s*:?$", re.I), "share/print line"),
    (
        re.compile(
            r"^(?:advertisement|anzeige|werbung|publicité|publicidad|реклама|sponsored|gesponsert|reklama|"
            r"pubblicità|publicidade|annuncio|ogłoszenie|sponsorowane)$",
            re.I,
        ),
        "advertisement",
    ),
    (
        # "Mehr zum Thema Grundeinkommen finden Sie hier:": a few words of topic, then the links.
        re.compile(rf"^(?:{_NAVIGATION_WORDS})(?:\s*[:|›>»\-–—]\s*.{{0,160}}|\s*\.{{3}}|(?:\s+\S+){{1,8}}:)?$", re.I),
        "navigation line",
    ),
    (
        # "„Umsorgen, nicht pflegen“ (brand eins 08/2019)": another piece's title, cited with its issue and nothing
        # said about it, is a link to it.
        re.compile(r"^[„“\"«»‚‘'][^„“\"«»]{2,120}[“”\"»«‘’']\s*\([^()]{0,60}\b\d{4}\)$"),
        "related article",
    ),
    (re.compile(r"^(?:[*\u2022\u00b7]\s*){3,}$|^[-_=~\u2013\u2014]{3,}$|^([#=\-~^\"`*+.])\1{3,}$"), "separator"),
    (
        re.compile(
            r"^(?:(?:ref(?:erence)?\.?|(?:press )?release|doc(?:ument)?|no\.|№)\s*"
            r"(?:no\.?|number|id|#|№)?\s*:?\s*#?[A-Z]{0,4}[-/]?\d[\w/.\-]*|\d{2,}(?:[/\-]\d+)+|"
            r"[A-Z]{1,4}[-/]\d{3,}[\w/\-]*)$",
            re.I,
        ),
        "reference number",
    ),
    (re.compile(r"^(?:#[^\W\d]\w*[\s,]*)+$"), "hashtag line"),
    (
        re.compile(
            r"^(?:tags?|tagged|topics|themen|thèmes|temas|темы|теги|метки|schlagwörter|schlagworte|mots-clés|"
            r"étiquettes|etiquetas|tagi|теги|мітки|tag|argomenti|"
            r"categories|category|filed under|posted in|published in|veröffentlicht in|publié dans|publicado en|"
            r"rubriken?|rubrique|categorías|опубликован[оа]? в раздел\w*)\s*:?\s+.{1,200}$",
            re.I,
        ),
        "tags line",
    ),
    (
        re.compile(
            r"^(?:(?:start|end|ende|fin|updated|published|posted|обновлено|опубликовано)\s*:?\s*)?(?:" + CLOCK + r")$",
            re.I,
        ),
        "time stamp",
    ),
    (_TIME_STAMP, "time stamp"),
    (re.compile(r"^(?:end|ende|fin|конец)\s+" + CLOCK + r"$", re.I), "time stamp"),
    (
        re.compile(
            r"^(?=.*\bcookies?\b)(?=.*\b(?:we use|use|uses|accept|consent|verwend\w*|zustimm\w*|utilis\w*|"
            r"usamos|utilizamos|использ\w*|accepter|aceptar)\b).{0,400}$",
            re.I,
        ),
        "cookie banner",
    ),
    (
        # "Deklaracja dostępności   Polityka prywatności": a site's legal links, one or several in a row.
        re.compile(rf"^(?:{_LEGAL_LINKS})(?:\s*[|·•/,]?\s*(?:{_LEGAL_LINKS}))*$", re.I),
        "legal links",
    ),
    (
        re.compile(
            r"^.{0,30}\bcookie-?(?:einstellungen|settings|policy|richtlinie)\b.{0,60}$|"
            r"^(?:gestion des cookies|política de cookies)$",
            re.I,
        ),
        "cookie banner",
    ),
    (
        re.compile(
            r"^(?:an official website of\b.{0,200}|here'?s how you know|official websites use \.\S+.{0,200}|"
            r"secure \.gov websites use https.{0,200}|a \.gov website belongs to .{0,200}|"
            r"the \.gov means it'?s official.{0,200})$",
            re.I,
        ),
        "site banner",
    ),
    (
        # "Illustrationen / Fotos: ...": one or several kinds of picture, then whose they are.
        re.compile(
            rf"^{_PICTURE}(?:\s*(?:/|&|,|\band\b|\bund\b|\bet\b|\by\b)\s*{_PICTURE})*"
            r"(?:\s*:|\s+by\s|\s+available\s)\s*\S.{0,120}$",
            re.I,
        ),
        "photo credit",
    ),
    (
        re.compile(
            r"^!\[[^\]]*\]\([^)]*\)$|^(?:jpe?g|png|gif|webp|image|bild|foto|photo|video|vidéo|audio|alt)$|^.{0,40}\blogo$",
            re.I,
        ),
        "image",
    ),
    (re.compile(r"^(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\))?\s*\d{4}|copyright ©).{0,300}$", re.I), "copyright line"),
    (
        re.compile(
            r"^.{0,120}\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|"
            r"todos los derechos reservados|все права защищены)\b.{0,60}$",
            re.I,
        ),
        "copyright line",
    ),
    (
        re.compile(
            r"^(?:transcribed by|transcription by|transcript by|transcripts? provided by|fastscripts|"
            r"transcribe your own content|try rev\b|automatically transcribed)\b.{0,160}$",
            re.I,
        ),
        "transcription service",
    ),
    (re.compile(r"^.{1,60}\b(?:started|stopped) transcription$", re.I), "transcription service"),
    (re.compile(r"^(?:page|seite|página|страница)\s+\d{1,4}(?:\s+(?:of|von|de|из)\s+\d+)?$", re.I), "page number"),
    (
        re.compile(
            r"^(?:permalink|short link|kurzlink|lien permanent|enlace permanente|ссылка на материал)\s*:.{0,200}$", re.I
        ),
        "permalink",
    ),
    (
        re.compile(
            r"^(?:\d+\s*(?:min(?:ute)?s?|minuten|мин(?:ут[аы]?)?)\.?\s+(?:read|lesezeit|de lecture|de lectura|"
            r"чтения)|(?:lesezeit|temps de lecture|tiempo de lectura|lecture|время чтения)\s*:?\s*\d+\s*\w*\.?|"
            r"\d+\s*(?:h|m|min)\s*\d*\s*s?|\d+\s*min(?:utes?)?)$",
            re.I,
        ),
        "reading time",
    ),
    (
        re.compile(
            r"^(?:duration|dauer|durée|duración|длительность|length|words|speakers|sentiment|mood|"
            r"länge|wörter|sprecher|mots|palabras|слов)\s*:\s*[\w\s.,:()]{1,30}$",
            re.I,
        ),
        "transcript metadata",
    ),
    (
        re.compile(
            r"^(?:view|see|read) (?:the )?(?:original|full) (?:document|transcript|article|story)\b.{0,40}$|"
            r"^[\[(]?(?:transcript ends|end of (?:the )?transcript|ende des transkripts|fin de la transcription|"
            r"fin de la transcripción|конец стенограммы|кінець стенограми)\.?[\])]?$",
            re.I,
        ),
        "transcript metadata",
    ),
    (
        re.compile(
            r"^(?:sign up|signup|subscribe|abonnez-vous|abonnieren sie|inscrivez-vous|suscríbete|suscribite|"
            r"suscríbase|подпишитесь|подписывайтесь|join (?:free|now|us)|get (?:the|our) .{0,60}newsletter)\b.{0,240}$|"
            r"^(?:\S+\s+){0,3}?\S*newsletter\b(?:\s+\S+){0,3}?\s*(?::|abonnieren)\s*.{0,240}$|"
            r"^.{0,80}\b(?:in your inbox|dans votre boîte|in ihr(?:em)? postfach|en tu correo|на почту|"
            r"réservé aux abonnés|subscribers only|nur für abonnenten|exclusivo para suscriptores|"
            r"только для подписчиков)\b.{0,160}$",
            re.I,
        ),
        "subscription notice",
    ),
    (
        re.compile(
            r"^(?=(?:\S+\s+){0,14}\S+$)(?:download|télécharger|herunterladen|descargar|скачать)\b.{0,160}$", re.I
        ),
        "download link",
    ),
    (
        re.compile(
            r"^.{0,80}(?:ctrl\s*\+\s*enter|нашли ошибку|report an error|fehler gefunden|signaler une erreur)"
            r".{0,80}$",
            re.I,
        ),
        "error report line",
    ),
    (
        re.compile(
            r"^(?:media contact|press contact|pressekontakt|contact presse|contacto de prensa|"
            r"контакты для сми)\b.{0,160}$|^(?:contact(?: us)?|kontakt|nous contacter|contáctenos)\s*:?$|"
            r"^(?=.{0,160}$)(?:\S+\s+){0,12}\S*\w@\w[\w.-]*\.\w+\b.*$",
            re.I,
        ),
        "contact line",
    ),
    (
        # "Senato della Repubblica - Piazza Madama - 00186 Roma": a postal address, its code and town last.
        re.compile(r"^(?=(?:\S+\s+){1,14}\S+$)[^.!?]*[,\-–—·|]\s*\d{4,5}\s+[^\W\d_][\w\-]+(?:\s+[^\W\d_][\w\-]+)?$"),
        "address line",
    ),
    (
        # "NORTHMOOR LICENSING TRIBUNAL — 11.02.2025 — Page 1 of 3": a PDF's running footer, between the turns.
        re.compile(
            r"^.{0,120}\b(?:page|seite|página|pagina|strona|сторінка|страница)\s+\d+\s+"
            r"(?:of|von|sur|de|di|z|з|из)\s+\d+$",
            re.I,
        ),
        "page footer",
    ),
    (
        # "The lifeboat service is funded by donations. Give today.": a box asking for money, short, ending so.
        re.compile(
            r"^(?=(?:\S+\s+){0,30}\S+$).*\b(?:give today|donate (?:now|today)|make a donation|support (?:us|our work) "
            r"today|jetzt spenden|spenden sie|faites un don|haz (?:una|tu) donación|dona ora|doe agora|"
            r"wesprzyj nas|пожертвуйте|підтримайте нас)\W*$",
            re.I,
        ),
        "donation call",
    ),
    (
        # "Проголосовать за Андрея вы можете на последней странице!": a reader poll's call, between the turns.
        re.compile(
            r"^(?:проголосовать за|проголосуйте за|голосуйте за|vote for|cast your vote|votez pour|vota por|"
            r"stimmen sie (?:für|ab))\b.{0,120}$|"
            # a choice's standing: "%165 голосов", "12% (40 votes)"
            r"^%?\d[\d\s.,]*%?\s*\(?\d*\s*(?:votes?|голос(?:ов|а)?|stimmen|voix|votos|voti|głos(?:ów|y)?)\)?$",
            re.I,
        ),
        "poll",
    ),
    (
        re.compile(
            r"^(?:related|video|videos|watch|listen|gallery|photos|podcast|more|also|see more|"
            r"verwandt|vidéo|à voir|écouter|vídeo|mira|escucha|смотрите|видео|слушайте)\s*:\s*\S.{0,160}$",
            re.I,
        ),
        "promo",
    ),
    (
        re.compile(
            r"^(?:(?:follow|rate|review|subscribe|like|share)(?:,?\s+(?:and\s+)?|\s*&\s*)){1,4}"
            r"(?:follow|rate|review|subscribe|like|share)\b.{0,80}$",
            re.I,
        ),
        "promo",
    ),
    # A link's words for screen readers ("Whatsapp: abre ventana nueva"): the link, not the article.
    (
        re.compile(
            r"^.{0,40}\b(?:opens? (?:in )?(?:a )?new (?:window|tab)|abre (?:en )?(?:una )?(?:ventana|pestaña) nueva|"
            r"öffnet (?:in )?(?:einem )?neuen (?:fenster|tab)|s'ouvre dans une nouvelle fenêtre|"
            r"nouvelle fenêtre|apre (?:in )?una nuova finestra|abre (?:em )?(?:uma )?nova janela|"
            r"откроется в новом окне)\)?$",
            re.I,
        ),
        "link",
    ),
    # A template's instruction left in the page ("[Add names of witnesses ...]").
    (
        re.compile(r"^\[(?:add|insert|enter|include|todo|tbc|tbd|placeholder)\b[^\]]{0,200}\]$", re.I),
        "template leftover",
    ),
    # A picture's caption that ends in its credit: "... (picture alliance / dpa / Oliver Berg)".
    (
        re.compile(
            r"^.{0,400}[(\[](?:[^()\[\]]*[/|]\s*)?(?:picture alliance|dpa|afp|reuters|getty images|ap photo|imago|"
            r"epa|istock|shutterstock|keystone|unsplash|sputnik|тасс|риа новости)\b[^()\[\]]{0,80}[)\]]$",
            re.I,
        ),
        "image caption",
    ),
    # A PDF's running furniture: a page's line numbers in a row, a heading printed letter-spaced.
    (re.compile(r"^(?:\d{1,2}\s+){9,}\d{1,2}$"), "line numbers"),
    (re.compile(r"^(?:[A-ZÀ-ÞА-Я]\s){4,}[A-ZÀ-ÞА-Я](?:\s.{0,24})?$"), "letter-spaced heading"),
    (re.compile(r"^\S+@\S+\.\w+$|^(?:https?://|www\.)\S+$"), "address line"),
    (re.compile(r"^(?:\d{1,2}\+|\d{1,2}\s*\+\s*)$"), "age rating"),
    (
        re.compile(
            r"^(?:follow|folgen sie|suivez|síguenos|siga(?:nos)?)\s+(?:\S+\s+){0,6}?(?:on|auf|sur|en|в)\s+"
            r"(?:\S+\s*){1,3}$|^(?:follow us|folgen sie uns|suivez-nous|síguenos)\s+@\S+$",
            re.I,
        ),
        "share/print line",
    ),
    (
        re.compile(
            r"^(?:documents? associés|pièces jointes|related documents|attachments?|anlagen|"
            r"documentos relacionados|приложения)\s*:.{0,200}$|"
            r"^(?=(?:\S+\s+){0,20}\S+$).*\((?:pdf|docx?|mp3|mp4)[,\s]+[\d.,]+\s*(?:ko|kb|mo|mb|go|gb)\)",
            re.I,
        ),
        "download link",
    ),
    (
        re.compile(
            r"^(?=(?:\S+\s+){0,30}\S+$).*\b(?:abonnieren sie|subscribe (?:to|now|on|wherever)|abonnez-vous|"
            r"wherever you get your podcasts|überall, wo es podcasts gibt|find (?:every|all|more|past) episodes? at|"
            r"suscr[ií]bete|"
            r"suscríbase|подпишитесь|подписывайтесь|підписуйтеся|підпишіться|subskrybuj|zapisz się|iscriviti|"
            r"inscreva-se|comments are closed|kommentare sind geschlossen|"
            r"für abonnent\w*(?: und abonnent\w*)? inklusive|(?:free|included) for subscribers|"
            r"inclus dans (?:votre|l') abonnement)\b",
            re.I,
        ),
        "subscription notice",
    ),
    (
        re.compile(
            r"^(?:leave a (?:reply|comment)|\d+ (?:thoughts|comments|responses) on\b.{0,200}|"
            r"sort by\s*:.{0,40}|normas de participación|réagir à cet article|kommentieren|"
            r"your email address will not be published.{0,120}|proudly powered by .{0,80}|"
            r"comments are closed.{0,60})$",
            re.I,
        ),
        "comments block",
    ),
]
# Separators between the items of a menu, a breadcrumb or a line of page information.
_ITEM_SEPARATOR = re.compile(r"\s+[|·•]\s+|\s*[›»>]\s+|\s{2,}|\t")


def furniture_reason(text: str, title: str | None = None, raw: str | None = None) -> str | None:
    """Why a whole paragraph is site furniture rather than article text, or None.

    `raw` is the line as written, whose runs of spaces separate a menu's items
    ("Teilen   E-Mail   Drucken").
    """
    if title is not None and fold(text) == fold(title):
        return "repeated title"
    for pattern, reason in _FURNITURE:
        if pattern.match(text):
            return reason
    if is_date_line(text):
        return "date stamp"
    doubled = re.fullmatch(r"([^.!?…]{8,160}?)\s+\1", text)
    if doubled and len(set(doubled.group(1).casefold().split())) >= 3:
        return "doubled link"  # a link's text and its image's alt text, flattened into one line (no sentence)
    return _joined_reason(text, raw)


def _joined_reason(text: str, raw: str | None) -> str | None:
    """Furniture made of items on one line: a menu, a breadcrumb, or page information joined by separators."""
    line = (raw or text).strip()
    items = [item.strip(" *_") for item in _ITEM_SEPARATOR.split(line) if item.strip(" *_")]
    if len(items) < 2:
        return None
    reasons = [furniture_reason(item) for item in items]
    if all(reasons):
        return "page info line"
    if re.search(r"\s[›»>]\s", line) and all(len(item.split()) <= 5 for item in items):
        return "breadcrumb"
    short = [item for item in items if len(item.split()) <= 3 and not re.search(r"[.!?]$", item)]
    if len(items) >= 3 and len(short) >= max(3, len(items) - 1) or (len(items) >= 2 and sum(map(bool, reasons)) >= 2):
        return "menu"
    return None
