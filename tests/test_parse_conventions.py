"""Stage 1: conventions a transcript defines for itself (issue 23), each on a short text of our own.

Labels inside paragraphs, in brackets, as initials, or only on the first exchange; typography that carries the
sides; furniture known by what it is; markup and encodings. The shared real transcripts test the same kinds on
published pages (tests/test_parse_wild.py); these say which rule reads which convention.
"""

from __future__ import annotations

import pytest

from audiobuild.model import INTERVIEWEE, INTERVIEWER, NARRATOR
from audiobuild.parse import parse, parse_article
from audiobuild.read.sources import Article, decode, load_article


def turns(script) -> list[tuple[str, str]]:
    """(speaker, role) of each turn, the narrator left out; a speaker's paragraphs in a row are one turn."""
    found: list[tuple[str, str]] = []
    for segment in script.segments:
        if segment.role != NARRATOR and (not found or found[-1][0] != segment.speaker):
            found.append((segment.speaker, segment.role))
    return found


def spoken(script) -> str:
    return " ".join(segment.text for segment in script.segments)


def test_labels_run_together_in_one_paragraph_are_turns():
    script = parse_article(
        "Harbour notes\n\n"
        "**Ines:** The boats came in at dawn. We counted them.**Tomas:** How many were there?"
        "**Ines:** Eleven, and one lost its mast.**Tomas:** And the crews?**Ines:** All safe.\n"
    )
    assert [name for name, _ in turns(script)] == ["Ines", "Tomas", "Ines", "Tomas", "Ines"]
    assert "**" not in spoken(script) and "Tomas:" not in spoken(script)


def test_capitals_labels_inside_a_flattened_page_and_its_running_furniture():
    page = "Official Record - Page Header Text\n\n1 2 3 4 5 6 7 8 9 10 11 12\n\n"
    script = parse_article(
        "Hearing on the canal\n\n" + page + "(10:04 a.m.) CHAIR WALSH: We will hear the first witness now. "
        "MS. OKONJO: Thank you. The canal floods every spring. CHAIR WALSH: Since when? "
        "MS. OKONJO: Since the lock was built.\n\n" + page + page
    )
    assert [name for name, _ in turns(script)] == ["Chair Walsh", "Ms. Okonjo", "Chair Walsh", "Ms. Okonjo"]
    assert "Page Header Text" not in spoken(script) and "1 2 3 4 5" not in spoken(script)


def test_a_label_in_square_brackets_with_its_time_stamp():
    script = parse_article(
        "Episode 4\n\n[Speaker 1] [00:00] Welcome back to the show.\n[Speaker 2] [00:04] Glad to be here.\n"
        "[Speaker 1] [00:07] Where did you grow up?\n[Speaker 2] [00:10] By the sea.\n[Applause] Thank you.\n"
    )
    assert [name for name, _ in turns(script)] == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"]
    assert "[00:" not in spoken(script) and "[Speaker" not in spoken(script)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (  # Polish: full names once, then initials with full stops
            "Sygnały poranka\n\nMarta Nowak: Dzień dobry, naszym gościem jest Jan Kowalski.\n\n"
            "Jan Kowalski: Dzień dobry.\n\nM.N.: Czy rząd zdąży z ustawą?\n\nJ.K.: Mam nadzieję, że tak.\n",
            ["Marta Nowak", "Jan Kowalski", "Marta Nowak", "Jan Kowalski"],
        ),
        (  # English: initials with no colon, of the people the intro names
            "Two directors\n\nWe met Clara Ruiz and Tom Abbot on set.\n\n**What was the hardest scene?**\n\n"
            "CR The storm. It took a week.\n\nTA I still dream of it.\n\n**And the easiest?**\n\n"
            "CR The last one.\n\nTA Agreed.\n",
            ["Interviewer", "Clara Ruiz", "Tom Abbot", "Interviewer", "Clara Ruiz", "Tom Abbot"],
        ),
    ],
    ids=["initials-after-names", "bare-initials"],
)
def test_initials_are_the_people_the_text_introduced(text, names):
    assert [name for name, _ in turns(parse_article(text))] == names


def test_only_the_first_exchange_names_the_sides_and_bold_carries_them_after():
    script = parse_article(
        "Daten und Pandemie\n\nEin Gespräch über Daten.\n\n**Stadtblatt.de: In Südkorea zeigt eine App, wo Infizierte "
        "waren, und die Regierung nutzt dafür die Daten der Kreditkarten. Wie finden Sie das, als Forscherin?**\n\n"
        "Lena Vogt: Sie ist nützlich, aber nicht genug.\n\n**Warum nicht genug?**\n\nWeil zu wenige sie nutzen.\n\n"
        "**Klingt nach einem Problem.**\n\nEs ist lösbar.\n"
    )
    assert turns(script) == [("Stadtblatt.de", INTERVIEWER), ("Lena Vogt", INTERVIEWEE)] * 3


def test_two_guests_may_answer_one_styled_question():
    script = parse_article(
        "Tourismus im Tal\n\n**Was tun Sie für die Umwelt?**\n\nWeber: Wir sparen Wasser.\n\n"
        "Mosbacher: Und wir fahren mit dem Zug.\n\n**Und im Winter?**\n\nWeber: Wir heizen mit Holz.\n\n"
        "Mosbacher: Und wir wandern.\n"
    )
    assert [name for name, _ in turns(script)] == ["Interviewer", "Weber", "Mosbacher"] * 2


def test_the_side_that_is_labelled_may_be_the_one_that_answers():
    script = parse_article(
        "Rozmowa poranna\n\nAnna Lis: Czy to już koniec kadencji?\n\nPrezydent RP: Jeszcze miesiąc.\n\n"
        " Pięć tygodni nawet?\n\nPrezydent RP: Pięć tygodni.\n\n Czy było warto?\n\nPrezydent RP: Tak, było warto.\n"
    )
    assert turns(script) == [("Anna Lis", INTERVIEWER), ("Prezydent RP", INTERVIEWEE)] * 3


def test_dash_dialogue_glued_to_its_words_with_bold_questions():
    script = parse_article(
        "Entrevista al portero\n\n**–¿Qué piensa ahora?**\n\n–Que fue mágico.\n\n**–¿Y el final?**\n\n–Inolvidable.\n"
    )
    assert turns(script) == [("Interviewer", INTERVIEWER), ("Interviewee", INTERVIEWEE)] * 2
    assert "–" not in spoken(script) and "**" not in spoken(script)


def test_an_office_label_with_the_name_and_party_in_brackets():
    script = parse_article(
        "Comissão de Saúde\n\nO SR. PRESIDENTE (Ana Costa. PT - PE) - Bom dia a todos.\n\n"
        "O SR. RUI MARINHO (PL - RN) - Sr. Presidente, pela ordem.\n\n"
        "O SR. PRESIDENTE (Ana Costa. PT - PE) - Tem a palavra.\n\n"
        "O SR. RUI MARINHO (PL - RN) - Obrigado. (Pausa.)\n"
    )
    assert [name for name, _ in turns(script)] == ["Ana Costa", "Rui Marinho", "Ana Costa", "Rui Marinho"]
    assert "(Pausa.)" not in spoken(script) and ("(Pausa.)", "stage direction") in [
        (item.text, item.reason) for item in script.dropped
    ]


def test_furniture_by_what_it_is_inside_the_article():
    """A page whose metadata gives the headline (as HTML pages do): teasers, a promo and a credited caption go."""
    text = (
        "Die Arbeit verändert sich, sagt der Philosoph.\n\n"
        "Grundeinkommen Geld vom Staat für alle\n\nExperiment in Finnland Grundeinkommen im Test\n\n"
        "Ethik-Kommission eingesetzt Welche Entscheidungen darf ein Auto treffen?\n\n"
        "Bestseller-Autor Harari Die Digitalisierung produziert Nutzlose\n\n"
        "- VIDEO: Die Zukunft der Arbeit in drei Minuten\n\n"
        "Der Philosoph mit seinem Buch (picture alliance / dpa / Jan Muster)\n\n"
        "Frage: Was bleibt von der Arbeit?\n\nAntwort: Die Arbeit mit Menschen.\n\n"
        "Frage: Und das Geld?\n\nAntwort: Es kommt vom Staat.\n"
    )
    script = parse(Article("page.html", text, title="Wir dekorieren um"))
    text = spoken(script)
    assert "Grundeinkommen Geld" not in text and "VIDEO" not in text and "picture alliance" not in text
    assert "Die Arbeit verändert sich" in text  # the intro stays
    assert "Experiment in Finnland" not in text and "Bestseller-Autor" not in text
    assert {"promo", "image caption"} <= {item.reason for item in script.dropped}


def test_markdown_markup_and_a_nikola_comment_are_never_read(tmp_path):
    text = (
        "<!--\n.. title: Quattro chiacchiere con Marco Rossi\n.. date: 2022-01-11 00:00:00\n-->\n\n"
        "Abbiamo rivolto qualche domanda a Marco Rossi, autore di <a href=\"{% link post.md %}\">un libro</a>.\n\n"
        "Come è nato il progetto?\n\n> Per caso, durante\n> un inverno lungo.\n\n"
        "Che cosa farà adesso?\n\n> Un altro [libro][l].\n\n[l]: https://example.org/libro\n"
    )
    (tmp_path / "intervista.md").write_text(text, encoding="utf-8")
    script = parse(load_article(tmp_path / "intervista.md"))
    assert script.title == "Quattro chiacchiere con Marco Rossi" and script.date == "2022-01-11"
    assert turns(script) == [("Interviewer", INTERVIEWER), ("Marco Rossi", INTERVIEWEE)] * 2
    assert not any(mark in spoken(script) for mark in ("<a", "{%", "[l]", "https://", ".. title", "> "))
    assert "Per caso, durante un inverno lungo." in spoken(script)
    assert {"markup comment", "link definition"} <= {item.reason for item in script.dropped}


def test_double_encoded_utf8_is_repaired():
    assert decode("Ele é o meu avô: trajetória".encode().decode("cp1252").encode(), "a.txt") == (
        "Ele é o meu avô: trajetória"
    )


def test_a_self_introduction_is_no_given_name():
    script = parse_article(
        "Coffee talk\n\nBekah Weigel: Hello and welcome. I'm Bekah.\n\nDan: Hi, Bekah.\n\n"
        "Bekah: How is it going?\n\nDan: Fine, thanks.\n"
    )
    assert [name for name, _ in turns(script)] == ["Bekah Weigel", "Dan", "Bekah Weigel", "Dan"]


def test_a_guest_the_headline_names_names_the_unlabelled_answers():
    script = parse_article(
        "Інтерв’ю Президента України Олега Петренка газеті «Вечір»\n\n— Як вам цей офіс?\n\n— Тут незручно.\n\n"
        "— Чому?\n\n— Бо тісно.\n"
    )
    assert [role for _, role in turns(script)] == [INTERVIEWER, INTERVIEWEE] * 2
    assert {name for name, role in turns(script) if role == INTERVIEWEE} == {"Олега Петренка"}


def test_whoever_is_thanked_by_name_is_not_the_one_speaking():
    """A closing line after a labelled answer that addresses the guest by name is the interviewer's."""
    script = parse_article(
        "Vom Bäckerhandwerk\n\n## Wie fing es an?\n\n**Greta Holm:** Mit einem Ofen und viel Geduld.\n\n"
        "## Und heute?\n\n**Greta:** Heute backen wir für das ganze Viertel.\n\nDas Mehl kommt aus der Mühle.\n\n"
        "**Herzlichen Dank, Greta, und viel Erfolg!**\n\n"
        "Illustrationen / Fotos: Studio Nord • Porträt: Greta Holm\n"
    )
    assert turns(script)[-2:] == [("Greta Holm", INTERVIEWEE), ("Interviewer", INTERVIEWER)]
    assert "Das Mehl kommt" in spoken(script)  # an answer's second paragraph stays the guest's
    assert "Studio Nord" not in spoken(script)
    assert "photo credit" in {item.reason for item in script.dropped}


def test_an_italic_question_and_its_answer_in_one_paragraph_and_boxes_between_turns(tmp_path):
    """A line break closing the italics parts the question from the answer; a box of links between turns is
    furniture, whatever the site calls it."""
    pairs = [("Wann fing es an?", "Im Winter, mit einem einzigen Ofen."), ("Und der zweite?", "Kam ein Jahr später."),
             ("Was backen Sie am liebsten?", "Roggenbrot, jeden Morgen um vier."),
             ("Ein Kritiker nannte das altmodisch.", "Das ist es auch, und gerade darum gut.")]  # fmt: skip
    turns_html = [f"<p><em>{question}<br></em>{answer}</p>" for question, answer in pairs]
    box = (
        "<section class='info-box'><p>„Das Mehl der Welt“ (Backblatt 08/2019)</p>"
        "<p>Mühlen: Lesen Sie, wie eine Mühle wieder mahlt. Für Abonnentinnen und Abonnenten inklusive.</p>"
        "<p>Mehr zum Thema Sauerteig finden Sie hier:</p></section>"
    )
    page = (
        "<html><head><title>Vom Brot</title></head><body><article><h1>Vom Brot</h1>"
        "<p>Greta Holm backt seit dreißig Jahren in der Altstadt. Ein Gespräch über Geduld.</p>"
        + "".join(turns_html[:2]) + box + "".join(turns_html[2:]) + "</article></body></html>"
    )  # fmt: skip
    (tmp_path / "brot.html").write_text(page, encoding="utf-8")
    script = parse(load_article(tmp_path / "brot.html"))
    assert [role for _, role in turns(script)] == [INTERVIEWER, INTERVIEWEE] * 4
    text = spoken(script)
    assert all(question in text and answer in text for question, answer in pairs)
    assert "Das Mehl der Welt" not in text and "Abonnenten" not in text and "Mehr zum Thema" not in text


def test_a_press_conference_of_topics_each_followed_by_the_quoted_answer():
    """"**Topic:** “quote”" paragraphs: the topics are put to the speaker the headline names; a bold lead that
    recurs is a label instead (two guests, "**Weber:** „...“"), so it stays one."""
    topics = ["El estado del campo", "¿Jugará el capitán el domingo?", "La afición en el estadio"]
    script = parse_article(
        "Rosa Ibarra habla antes de la final\n\n"
        "La entrenadora del club, Rosa Ibarra, compareció ayer en rueda de prensa antes del partido decisivo.\n\n"
        + "\n\n".join(f"**{topic}:** “Respuesta número {number}, dicha con calma y con detalle.”"
                      for number, topic in enumerate(topics, start=1))  # fmt: skip
        + "\n"
    )
    assert [role for _, role in turns(script)] == [INTERVIEWER, INTERVIEWEE] * 3
    assert {name for name, role in turns(script) if role == INTERVIEWEE} == {"Rosa Ibarra"}
    questions = [segment.text for segment in script.segments if segment.role == INTERVIEWER]
    assert questions == topics


def test_a_round_of_guests_each_named_only_in_a_heading_answers_the_same_prompts():
    """The same prompts put to guest after guest; each guest's answers take the name of the heading above
    them; the reader poll's call and its choices are furniture."""
    guests = ["Вера Соколова", "Игорь Лебедев", "Нина Орлова"]
    rounds = "".join(
        f"## {guest}\n\n**Почему вы начали печь?**\n\n— Потому что бабушка пекла каждое утро.\n\n"
        f"**Любимый рецепт на вечер.**\n\n— Пирог с капустой, он готов за час.\n\n"
        f"**Проголосовать за участника вы можете на последней странице!**\n\n"
        for guest in guests
    )
    script = parse_article(
        "Пекари нашего города\n\nМы поговорили с тремя пекарями о хлебе.\n\n" + rounds
        + "## Выбери лучшего пекаря!\n\n• %165 голосов\n\n• %250 голосов\n\n• %31 голос\n"
    )  # fmt: skip
    answerers = [name for name, role in turns(script) if role == INTERVIEWEE]
    assert answerers == [guest for guest in guests for _ in range(2)]  # two prompts each, one a statement
    assert [role for _, role in turns(script)] == [INTERVIEWER, INTERVIEWEE] * 6
    text = spoken(script)
    assert "Проголосовать" not in text and "голосов" not in text and "Выбери лучшего" not in text


def test_a_close_runner_up_is_named_with_the_paragraphs_in_doubt(caplog):
    """Bold questions answered by two labelled guests read nearly as well as labels alone (the questions then
    go to the narrator): the warning names both readings and the lines where they part."""
    visits = ["Gäste aus der Stadt", "Regen im Juli", "Wanderer am Pass", "Radfahrer aus Basel"]
    script = parse_article(
        "Zwei Wirtinnen über den Sommer\n\nDer Sommer war lang, sagen die beiden Wirtinnen aus dem Tal.\n\n"
        + "".join(f"**Wie war die Woche mit {visit}?**\n\nWeber: „Gut, wir hatten {visit} und viel Arbeit.“\n\n"
                  f"Mosbacher: „Bei uns kamen {visit} vor allem am Wochenende.“\n\n" for visit in visits)  # fmt: skip
    )
    assert script.layout.name == "bold-questions" and script.layout.runner_up == "labels"
    question_lines = [5, 11, 17, 23]  # where the readings part: a question's turn, or the narrator's line
    warning = next(record.getMessage() for record in caplog.records if "comes close" in record.getMessage())
    assert all(f"line {line}" in warning for line in question_lines) and "--layout labels" in warning
    assert [name for name, _ in turns(script)] == ["Interviewer", "Weber", "Mosbacher"] * 4


def test_a_record_with_a_table_of_contents_a_dateline_and_abbreviated_offices():
    """The contents' entries (a question's number, who asked, the page) are no speakers; the record's own name
    is its title, not the date or the hour it began; "Parl. Staatssekretär" abbreviates an office."""
    contents = "".join(
        f"{topic}\nMdlAnfr {number} 04.03.85 Drs 10/{number}0 {asker} SPD\n"
        f"Antw PStSekr Dr. Brandt BMV . . . . 12{number} B, C\nZusFr {asker} SPD \t12{number} D\n"
        for number, topic, asker in [(11, "Lärmschutz an der Autobahn", "Kessler"),
                                     (12, "Radwege an Bundesstraßen", "Frau Lindner"),
                                     (13, "Nachtzüge nach Wien", "Kessler")]
    )  # fmt: skip
    record = (
        "Plenarprotokoll 10/88\nStenographischer Bericht\nBonn, Mittwoch, den 6. März 1985\nInhalt:\n" + contents
        + "Beginn: 13.00 Uhr\n"
        "Präsidentin Weber: Die Sitzung ist eröffnet. Ich rufe die Frage 11 des Abgeordneten Kessler auf.\n"
        "Dr. Brandt, Parl. Staatssekretär beim Bundesminister für Verkehr: Der Lärmschutz wird verbessert.\n"
        "Präsidentin Weber: Eine Zusatzfrage, Herr Abgeordneter Kessler.\n"
        "Kessler (SPD): Herr Staatssekretär, bis wann wird er fertig?\n"
        "Dr. Brandt, Parl. Staatssekretär: Bis zum Ende des nächsten Jahres.\n"
        "Präsidentin Weber: Ich rufe die Frage 12 der Abgeordneten Frau Lindner auf.\n"
        "Dr. Brandt, Parl. Staatssekretär: Die Radwege werden im Sommer geplant.\n"
    )  # fmt: skip
    script = parse_article(record)
    assert script.title == "Plenarprotokoll 10/88"
    names = [name for name, _ in turns(script)]
    assert names == ["Präsidentin Weber", "Dr. Brandt", "Präsidentin Weber", "Kessler", "Dr. Brandt",
                     "Präsidentin Weber", "Dr. Brandt"]  # fmt: skip
    assert "MdlAnfr" not in spoken(script) and "Lärmschutz an der Autobahn" not in spoken(script)
    assert "table of contents" in {item.reason for item in script.dropped}


def test_questions_told_apart_only_by_an_attribute_of_their_paragraphs(tmp_path):
    """No bold, no label, no name: the questions' paragraphs carry another value of one attribute. A statement
    put as a question goes with the rest of its style."""
    pairs = [("Quando ha aperto il laboratorio?", "Nel 1994, in una cantina del centro storico."),
             ("Perché proprio la ceramica?", "Mio nonno faceva piatti per le trattorie della valle."),
             ("Dicono che lei non venda online.", "È vero, chi vuole un piatto viene a prenderlo qui."),
             ("Qual è il pezzo più difficile?", "La zuppiera grande, si crepa una volta su tre."),
             ("Chi impara il mestiere da lei?", "Due ragazze del paese, ogni sabato mattina."),
             ("Che cosa farà l'anno prossimo?", "Un forno nuovo, se il comune ci dà il permesso."),
             ("E dopo il forno?", "Dopo il forno, finalmente, una vacanza al mare.")]  # fmt: skip
    body = "".join(f'<p data-size="5">{question}</p><p data-size="4">{answer} Lo dico sempre a tutti.</p>'
                   for question, answer in pairs)  # fmt: skip
    page = (
        "<html><head><title>La ceramista di Deruta</title></head><body><article><h1>La ceramista di Deruta</h1>"
        '<p data-size="4">Lucia Bassi lavora l\'argilla da trent\'anni. Ci ha ricevuto nel suo laboratorio.</p>'
        f"{body}</article></body></html>"
    )
    (tmp_path / "ceramista.html").write_text(page, encoding="utf-8")
    script = parse(load_article(tmp_path / "ceramista.html"))
    assert [role for _, role in turns(script)] == [INTERVIEWER, INTERVIEWEE] * len(pairs)
    assert [segment.text for segment in script.segments if segment.role == INTERVIEWER] == [q for q, _ in pairs]
