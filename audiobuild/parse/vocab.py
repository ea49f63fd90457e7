"""The words a transcript labels its speakers with, in the languages the parser knows.

English, Russian, German, French, Spanish, Italian, Portuguese, Polish and Ukrainian.

Data, kept apart from the rules that use it: add a word here and every rule
sees it. Words are compared case-folded and without a trailing full stop.
"""

from __future__ import annotations

from audiobuild.model import INTERVIEWEE, INTERVIEWER, NARRATOR


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Courtesy words before a name: dropped from the name shown ("MS. JANE ROE" is "Jane Roe").
HONORIFICS = words(
    "mr mrs ms miss mx messrs mr. mrs. ms. m m. mme mmes mlle monsieur madame herr frau fr hr sr sr. sra srta "
    "señor señora señorita don doña dña d. dª sig sig.ra г-н г-жа господин госпожа esq esq."
    " signor signora sig. sig.ra on. dott. dott.ssa pan pani panie państwo sr. sra. srª dona пан пані"
)
# Titles that stay with the name, as people write it ("Dr. Nwosu", "Dame Philippa").
KEPT_TITLES = words("dr dr. prof prof. professor dame sir lord lady rev rev. father sister br")
# Offices before a name: dropped when the person's given name is known ("Senator Kofi Adjei" is Kofi Adjei), kept
# when the label has only a surname ("Senator Oyelaran").
OFFICES = words(
    "senator sen representative rep congressman congresswoman minister president vice secretary governor mayor "
    "vocero vocera portavoz porte-parole pressesprecher pressesprecherin пресс-секретарь "
    "chairman chairwoman chairperson chair ambassador general judge justice commissioner deputy spokesperson "
    "spokesman spokeswoman director prime premier chancellor "
    "bundesminister bundesministerin minister ministerin präsident präsidentin vizepräsident vizepräsidentin "
    "vors vorsitzender vorsitzende sts staatssekretär staatssekretärin "
    "bundeskanzler bundeskanzlerin staatssekretär staatssekretärin abgeordneter abgeordnete abgeordneten bürgermeister "
    "bürgermeisterin ministre président présidente vice-président vice-présidente maire député députée "
    "sénateur sénatrice ministra ministro presidente presidenta vicepresidente vicepresidenta diputado diputada "
    "senador senadora alcalde alcaldesa secretario secretaria consejero consejera portavoz "
    "губернатор министр президент председатель депутат мэр премьер-министр"
    " ministro ministra deputato deputata senatore senatrice sindaco sindaca sottosegretario sottosegretaria "
    "deputado deputada prefeito prefeita relator relatora prezydent marszałek marszałkini poseł posłanka "
    "premier wicepremier minister przewodniczący przewodnicząca президент міністр голова депутат речник"
)
# Articles and particles inside a label or a name ("The CHAIRMAN", "Mme la présidente", "Anouk van der Meer").
PARTICLES = words(
    "the of and & de del della dei di da das dos du des van von der den ter ten te la le les el al bin bint ibn "
    "ap y e i и из zu zum zur af av"
)
# Articles that may open a label ("The CHAIRMAN", "El señor PRESIDENTE", "La señora MINISTRA").
LABEL_ARTICLES = words("the el la le der die das les los las o os a as il lo gli")

# Labels that stand for one side rather than a person: every "Q:" is the same interviewer.
ROLE_MARKERS = {
    **dict.fromkeys(words("q question questions f frage pregunta p вопрос в interviewer int iv domanda d pergunta "
                          "pytanie питання"), INTERVIEWER),
    **dict.fromkeys(words("a ans answer antwort respuesta r ответ о réponse interviewee resp respondent risposta "
                          "resposta odpowiedź odp відповідь"), INTERVIEWEE),
    "narrator": NARRATOR,
}
# Labels a transcription service gives a voice it could not name: kept as they are, sides by what they say.
GENERIC_SPEAKERS = words(
    "speaker unknown sprecher sprecherin orateur intervenant intervenante hablante participante participant "
    "спикер участник audience"
)
# Words in a label that give away the side of its speaker, in any language. ("President" is no such word in
# English, where the President answers; in a parliament's record "Mme la présidente" chairs the sitting.)
ROLE_WORDS = {
    **dict.fromkeys(
        words(
            "host co-host cohost presenter anchor moderator moderatorin interviewer reporter correspondent journalist "
            "chair chairman chairwoman chairperson operator questioner examiner counsel "
            "ведущий ведущая корреспондент корр журналист журналистка интервьюер модератор "
            "gastgeber gastgeberin interviewerin reporterin journalistin vorsitzende vorsitzender vors "
            "animateur animatrice journaliste présentateur présentatrice intervieweur "
            "periodista entrevistador entrevistadora locutor locutora conductor conductora presentador presentadora "
            "conduttore conduttrice giornalista intervistatore intervistatrice apresentador apresentadora jornalista "
            "repórter prowadzący prowadząca dziennikarz dziennikarka redaktor redaktorka ведучий ведуча журналіст "
            "журналістка кореспондент"
        ),
        INTERVIEWER,
    ),
    **dict.fromkeys(
        words(
            "guest panelist panellist witness deponent respondent interviewee gast gäste invité invitée "
            "invitado invitada entrevistado entrevistada гость гостья ospite convidado convidada gość гість"
        ),
        INTERVIEWEE,
    ),
}
# Listeners who ring in or speak from the floor: they ask a guest who answers, else they have their say.
CALLER_WORDS = words("caller audience listener anrufer anruferin zuhörer auditeur auditrice oyente слушатель")
# Who chairs a sitting, by language: they give the floor, so they are on the asking side.
CHAIR_WORDS = {
    "fr": words("président présidente vice-président vice-présidente maire"),
    "es": words("presidente presidenta vicepresidente vicepresidenta alcalde alcaldesa"),
    "de": words("präsident präsidentin vizepräsident vizepräsidentin"),
    "ru": words("председатель председательствующий"),
    "it": words("presidente vicepresidente"),
    "pt": words("presidente presidenta vice-presidente"),
    "pl": words("marszałek marszałkini przewodniczący przewodnicząca wicemarszałek"),
    "uk": words("голова головуючий"),
}

# First words of "Word: ..." lines that introduce something other than a speaker.
NOT_SPEAKERS = words(
    "note notes editor's editors editor photo photos image images video audio source sources update updated "
    "correction related read see also tags tag tip tips warning caution important disclaimer example step fact "
    "credit credits caption location date time price address phone email e-mail website web contact summary "
    "conclusion keywords topics topic category categories breaking watch listen share print download permalink "
    "citation rights copyright transcriber transcript transcription duration length words speakers sentiment "
    "mood reporting additional interview interviews text texto texte by present members witnesses order "
    "published posted episode season chapter part section figure fig table ref case docket file pdf mp3 "
    "subject re fwd from to sent attachment attachments tagged "
    "фото источник теги примечание читайте смотрите дата место автор текст интервью тема "
    "anmerkung hinweis quelle foto bild schlagwörter datum ort dauer autor interview gespräch thema folge "
    "remarque source photo mots-clés lieu durée auteur entretien propos thème épisode "
    "nota fuente foto etiquetas fecha lugar duración autor entrevista tema episodio orden "
    "yes no okay ok thanks thank well so now then here there this that what why how when where who which "
    "i we you he she it they me us him her them my our your his its their "
    "ich wir sie er es du je nous vous il elle ils elles on yo nosotros usted él ella ellos я мы вы ты он она они "
    "but and or if because however also today tomorrow yesterday "
    "ja nein oui non sí si да нет беседовал беседовала беседовали"
)
# Words of a sentence, not of a name's function: "Professor Marsh, you have studied..." addresses someone.
SENTENCE_WORDS = words(
    "i we you he she it they me us him them my our your their is are was were be been have has had do does did "
    "will would can could should thank thanks please ich wir ihr er ist sind war waren hat haben danke bitte "
    "je nous vous ils elles est sont était merci yo nosotros usted ustedes él ella es son era está están gracias "
    "я мы вы он она оно они это спасибо"
)

# A credit that names who asked the questions ("Interview by ...", "Propos recueillis par ...", "Розмовляла ..."),
# as a regular expression's alternatives.
INTERVIEWED_BY = (
    r"interview(?:ed)? by|interview\s*:|propos recueillis par|entrevista de|entrevista por|entrevistad[oa] por|"
    r"intervista di|беседовал[аи]?|интервью записал[аи]?|розмовлял[аи]?|розмову вел[аи]?|rozmawiał[aoy]?|"
    r"rozmowę przeprowadził[aoy]?"
)

# The first and last words of places' names: two capitalised words with one of them are no person ("New York",
# "Dock Street").
PLACE_FIRSTS = frozenset(
    "New San Santa Los Las Saint St Port Mount Mt Lake North South East West Fort Cape Upper Lower Great".split()
)
PLACE_LASTS = frozenset(
    "Street St Road Rd Avenue Ave Lane Square Park Bridge Station Hill Island River Lake Bay Drive Boulevard Place "
    "Court Market Harbour Harbor Hall Church University College School Hospital Museum Centre Center City County "
    "Valley Beach Way Row Close Gardens Quay Airport Port Pass Forest Wood Moor Glen Creek Canyon Falls Point "
    "Heights".split()
)
