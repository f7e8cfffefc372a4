"""The bot end to end: its own process, real sockets, the loopback Discord stand-in."""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.store import DATABASE_FILE
from tests.conftest import ROOT
from tests.e2e.conftest import BotProcess, a_suggested_question, copy_facts, start_bot
from tests.e2e.standin import (
    ADMIN_ID,
    BOT_USER_ID,
    CALLBACK_AUTOCOMPLETE_RESULT,
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_UPDATE_MESSAGE,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    OTHER_BOT_ID,
    OWNER_ID,
    SECOND_CHANNEL_ID,
    THIRD_CHANNEL_ID,
    Callback,
    CommandNotAvailableError,
    DiscordStandIn,
    Recorded,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ALIAS_BOMB = ROOT / "tests" / "facts" / "fixtures" / "alias_bomb.yaml"
MANAGE_GUILD = str(1 << 5)
MENTION = f"<@{BOT_USER_ID}>"
# Fresh members for tests that must not share the per-user answer limit.
_USER_IDS = itertools.count(1_300_000_000_000_001_000)


def new_member(standin: DiscordStandIn) -> int:
    """A member of the guild with no answers counted against them yet."""
    user_id = next(_USER_IDS)
    standin.add_member(user_id, f"fan{user_id % 1000}")
    return user_id


def no_pings(payload: dict[str, Any] | None) -> bool:
    """Whether a payload the bot sent can ping no one."""
    mentions = (payload or {}).get("allowed_mentions")
    return mentions is not None and mentions.get("parse") == [] and not mentions.get("users")


def reply_text(recorded: Recorded) -> str:
    """The visible text of a bot message: content and embed descriptions."""
    payload = recorded.json or {}
    parts = [payload.get("content") or ""]
    parts += [e.get("description") or "" for e in payload.get("embeds") or []]
    return "\n".join(parts)


async def until_logged(bot: BotProcess, text: str) -> None:
    """Wait (up to 10 s) until the bot has logged `text`."""
    for _ in range(100):
        if text in bot.log():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot never logged {text!r}")


# Start-up -----------------------------------------------------------------------------------


async def test_start_up_registers_every_command(bot: BotProcess) -> None:
    commands = {c["name"]: c for c in bot.standin.commands()}
    assert set(commands) == {"ask", "cast", "premise", "franchise", "help", "trivia", "facts"}
    assert [o["name"] for o in commands["ask"]["options"]] == ["question"]
    assert commands["ask"]["options"][0]["autocomplete"] is True
    assert commands["cast"]["options"][0]["required"] is False
    for admin in ("trivia", "facts"):
        assert commands[admin]["default_member_permissions"] == MANAGE_GUILD
    subcommands = {o["name"] for o in commands["trivia"]["options"]}
    assert subcommands == {"listen", "unlisten", "channels", "forget"}
    facts = {o["name"] for o in commands["facts"]["options"]}
    assert facts == {"reload", "unanswered", "stats", "teach"}
    assert bot.standin.token not in bot.log()


# Slash commands -----------------------------------------------------------------------------


async def test_ask_answers_with_a_cited_embed(bot: BotProcess) -> None:
    result = await bot.standin.send_slash_command(
        "ask", {"question": "who plays ballard"}, member=new_member(bot.standin)
    )
    callback = await result.response()
    assert callback.type == CALLBACK_CHANNEL_MESSAGE and not callback.ephemeral
    embed = callback.embeds[0]
    assert "Maggie Q" in embed["description"]
    assert embed["fields"][0]["name"] == "Source" and "portrayed" in embed["fields"][0]["value"]
    assert no_pings(callback.data)


async def test_ask_declines_privately(bot: BotProcess) -> None:
    result = await bot.standin.send_slash_command(
        "ask", {"question": "when does season 2 come out"}, member=new_member(bot.standin)
    )
    callback = await result.response()
    assert callback.ephemeral
    assert "doesn't say" in callback.embeds[0]["description"]


async def test_a_suggestion_offers_buttons_and_a_click_answers(bot: BotProcess) -> None:
    member = new_member(bot.standin)
    result = await bot.standin.send_slash_command(
        "ask", {"question": a_suggested_question()}, member=member
    )
    callback = await result.response()
    assert callback.embeds[0]["title"] == "Did you mean…"
    buttons = [c for row in callback.components for c in row["components"]]
    assert 1 <= len(buttons) <= 3
    assert callback.message is not None
    click = await bot.standin.click_button(callback.message, buttons[0]["custom_id"], member=member)
    answered = await click.response()
    assert answered.type == CALLBACK_UPDATE_MESSAGE
    assert answered.embeds[0]["fields"][0]["name"] == "Source"
    votes = [c["custom_id"] for row in answered.components for c in row["components"]]
    assert [v.split(":")[2] for v in votes] == ["up", "down"]


async def test_only_the_askers_click_answers_in_place_of_a_did_you_mean(bot: BotProcess) -> None:
    standin, asker, other = bot.standin, new_member(bot.standin), new_member(bot.standin)
    said = await standin.send_message(f"{MENTION} {a_suggested_question()}", author=asker)
    message = (await said.reply()).message
    assert message is not None and message["embeds"][0]["title"] == "Did you mean…"
    buttons = [c["custom_id"] for row in message["components"] for c in row["components"]]
    click = await standin.click_button(message, buttons[0], member=other)
    private = await click.response()
    assert private.type == CALLBACK_CHANNEL_MESSAGE and private.ephemeral
    assert private.embeds[0]["fields"][0]["name"] == "Source"
    assert standin.messages[int(message["id"])]["embeds"][0]["title"] == "Did you mean…"
    click = await standin.click_button(message, buttons[0], member=asker)
    assert (await click.response()).type == CALLBACK_UPDATE_MESSAGE


async def test_two_questions_get_two_cited_answers(bot: BotProcess) -> None:
    result = await bot.standin.send_slash_command(
        "ask",
        {"question": "who plays ballard and where can i stream it?"},
        member=new_member(bot.standin),
    )
    callback = await result.response()
    assert not callback.ephemeral
    fields = callback.embeds[0]["fields"]
    assert [f["name"][:2] for f in fields] == ["1.", "2."]
    assert "Maggie Q" in fields[0]["value"] and "Prime Video" in fields[1]["value"]
    assert all("from the source article" in f["value"] for f in fields)
    votes = [c["custom_id"] for row in callback.components for c in row["components"]]
    assert len(votes) == 4


async def test_a_confirmed_suggestion_is_proposed_and_the_owner_teaches_it(
    bot: BotProcess,
) -> None:
    standin, member, question = bot.standin, new_member(bot.standin), a_suggested_question()
    callback = await (
        await standin.send_slash_command("ask", {"question": question}, member=member)
    ).response()
    button = next(c for row in callback.components for c in row["components"])
    assert button["custom_id"].split(":")[-1].startswith("q")  # carries the kept question
    assert callback.message is not None
    await (
        await standin.click_button(callback.message, button["custom_id"], member=member)
    ).response()
    fact_id = button["custom_id"].split(":")[2]
    result = await standin.send_slash_command("facts unanswered", {"days": 1}, member=ADMIN_ID)
    await result.response()
    embed = ((await result.followup()).json or {})["embeds"][0]
    confirmed = next(f for f in embed["fields"] if f["name"].startswith("Confirmed"))
    # The earlier suggestion test clicked the same button: each person counts once.
    assert re.search(rf"\d× {re.escape(question)} → {re.escape(fact_id)}", confirmed["value"])
    options = {"fact": fact_id, "question": question}
    refused = await standin.send_slash_command("facts teach", options, member=ADMIN_ID)
    assert "owner" in ((await refused.response()).content or "")
    taught = await standin.send_slash_command("facts teach", options, member=OWNER_ID)
    await taught.response()
    reply = await taught.followup(timeout=30)
    assert f"Added as an example of `{fact_id}`" in (reply.json or {})["content"]
    assert (reply.json or {})["embeds"][0]["title"] == "Facts reloaded"
    examples = (bot.facts_dir / "examples" / "taught.yaml").read_text(encoding="utf-8")
    assert question in examples and fact_id in examples


async def test_ask_autocomplete_is_quick_and_within_limits(bot: BotProcess) -> None:
    started = time.monotonic()
    result = await bot.standin.send_autocomplete(
        "ask", {"question": "who pl"}, focused="question", member=new_member(bot.standin)
    )
    callback = await result.response(timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert callback.type == CALLBACK_AUTOCOMPLETE_RESULT
    assert 1 <= len(callback.choices) <= 25
    assert all(len(c["name"]) <= 100 for c in callback.choices)
    assert callback.choices[0]["name"].lower().startswith("who plays")


async def test_cast_autocompletes_people_and_answers_about_them(bot: BotProcess) -> None:
    member = new_member(bot.standin)
    result = await bot.standin.send_autocomplete(
        "cast", {"who": "mag"}, focused="who", member=member
    )
    assert [c["name"] for c in (await result.response()).choices] == ["Maggie Q"]
    answer = await bot.standin.send_slash_command("cast", {"who": "Maggie Q"}, member=member)
    assert "Maggie Q" in (await answer.response()).embeds[0]["description"]
    everyone = await bot.standin.send_slash_command("cast", member=member)
    embed = (await everyone.response()).embeds[0]
    assert embed["title"] == "The cast of Ballard" and embed["fields"]


@pytest.mark.parametrize(
    ("command", "words"), [("premise", "Cold Case"), ("franchise", "Connelly")]
)
async def test_topic_commands(bot: BotProcess, command: str, words: str) -> None:
    result = await bot.standin.send_slash_command(command, member=new_member(bot.standin))
    embed = (await result.response()).embeds[0]
    text = embed["description"] + " ".join(f["value"] for f in embed.get("fields", []))
    assert words in text


async def test_help_is_private(bot: BotProcess) -> None:
    result = await bot.standin.send_slash_command("help", member=new_member(bot.standin))
    callback = await result.response()
    assert callback.ephemeral and callback.embeds[0]["title"] == "Ballard trivia"


async def test_slash_answers_are_rate_limited_per_user(bot: BotProcess) -> None:
    member = new_member(bot.standin)
    for _ in range(5):
        result = await bot.standin.send_slash_command("premise", member=member)
        assert not (await result.response()).ephemeral
    limited = await (await bot.standin.send_slash_command("premise", member=member)).response()
    assert limited.ephemeral and "ask again" in (limited.content or "")
    other = await bot.standin.send_slash_command("premise", member=new_member(bot.standin))
    assert not (await other.response()).ephemeral


# Free text ----------------------------------------------------------------------------------


async def test_a_mention_is_answered_without_pinging(bot: BotProcess) -> None:
    message = await bot.standin.send_message(
        f"{MENTION} @everyone who plays ballard?", author=new_member(bot.standin)
    )
    reply = await message.reply()
    assert "Maggie Q" in reply_text(reply)
    assert no_pings(reply.json)
    assert int((reply.json or {})["message_reference"]["message_id"]) == message.id


async def test_a_reply_that_pings_the_bot_is_not_a_question(bot: BotProcess) -> None:
    user = new_member(bot.standin)
    asked = await bot.standin.send_message(f"{MENTION} who plays ballard", author=user)
    answer = await asked.reply()
    assert answer.message is not None
    thanks = await bot.standin.send_message(
        "thanks!", author=user, reply_to=answer.message["id"], mentions=[BOT_USER_ID]
    )
    await thanks.assert_no_reply(within=1.0)


async def test_a_dm_may_get_a_decline(bot: BotProcess) -> None:
    message = await bot.standin.send_message(
        "who directed the pilot", author=new_member(bot.standin), guild=False
    )
    assert "doesn't say" in reply_text(await message.reply())


async def test_other_channels_are_left_alone(bot: BotProcess) -> None:
    message = await bot.standin.send_message(
        "who plays ballard?", channel_id=THIRD_CHANNEL_ID, author=new_member(bot.standin)
    )
    await message.assert_no_reply(within=1.0)


async def test_bots_are_never_answered(bot: BotProcess) -> None:
    message = await bot.standin.send_message(f"{MENTION} who plays ballard?", author=OTHER_BOT_ID)
    await message.assert_no_reply(within=1.0)


async def test_listening_channel_answers_questions_and_ignores_chatter(bot: BotProcess) -> None:
    standin = bot.standin
    with pytest.raises(CommandNotAvailableError):
        await standin.send_slash_command(
            "trivia listen", {"channel": SECOND_CHANNEL_ID}, member=MEMBER_ID
        )
    refused = await standin.send_slash_command(
        "trivia listen", {"channel": SECOND_CHANNEL_ID}, member=MEMBER_ID, bypass_permissions=True
    )
    assert "Manage Server" in ((await refused.response()).content or "")
    listen = await standin.send_slash_command(
        "trivia listen", {"channel": SECOND_CHANNEL_ID}, member=ADMIN_ID
    )
    assert (await listen.response()).ephemeral
    user = new_member(standin)
    question = await standin.send_message(
        "where can i watch ballard", channel_id=SECOND_CHANNEL_ID, author=user
    )
    assert "Prime Video" in reply_text(await question.reply())
    for chatter in ("lol same", "ballard is so good omg", "when does season 2 come out?"):
        said = await standin.send_message(chatter, channel_id=SECOND_CHANNEL_ID, author=user)
        await said.assert_no_reply(within=0.7)
    channels = await standin.send_slash_command("trivia channels", member=ADMIN_ID)
    assert f"<#{SECOND_CHANNEL_ID}>" in ((await channels.response()).content or "")
    unlisten = await standin.send_slash_command(
        "trivia unlisten", {"channel": SECOND_CHANNEL_ID}, member=ADMIN_ID
    )
    await unlisten.response()
    after = await standin.send_message(
        "where can i watch ballard", channel_id=SECOND_CHANNEL_ID, author=new_member(standin)
    )
    await after.assert_no_reply(within=0.7)


@pytest.mark.parametrize(
    "text",
    [
        f"{MENTION} " + "who plays ballard " * 250,  # about 4,500 characters
        f"{MENTION} wh\u200bo pl\u200bays ball\u200bard\u200b?",
        f"{MENTION} \u202e\u0000𝖜𝖍𝖔 𝖕𝖑𝖆𝖞𝖘 🎬 \U0010ffff",
    ],
)
async def test_odd_input_gets_a_sane_reply(bot: BotProcess, text: str) -> None:
    message = await bot.standin.send_message(text, author=new_member(bot.standin))
    reply = await message.reply()
    assert no_pings(reply.json)
    assert bot.process.returncode is None
    bot.standin.assert_clean()


# Feedback and curation ----------------------------------------------------------------------


def vote_buttons(callback: Callback) -> dict[str, str]:
    """'up'/'down' -> custom id of the feedback buttons under an answer."""
    ids = [c["custom_id"] for row in callback.components for c in row["components"]]
    return {i.split(":")[2]: i for i in ids if i.startswith("trivia:vote:")}


async def test_feedback_is_one_vote_per_person_per_fact_and_can_change(bot: BotProcess) -> None:
    standin, member = bot.standin, new_member(bot.standin)
    answers = []
    for _ in range(2):  # the same fact answered twice: still one vote on it
        answer = await (
            await standin.send_slash_command(
                "ask", {"question": "who plays ballard"}, member=member
            )
        ).response()
        assert answer.message is not None
        answers.append(answer)
    replies = []
    for answer, choice in zip(answers * 2, ("up", "up", "down", "down"), strict=True):
        assert answer.message is not None
        click = await standin.click_button(
            answer.message, vote_buttons(answer)[choice], member=member
        )
        replies.append(await click.response())
    assert all(r.ephemeral for r in replies)
    assert [r.content for r in replies] == [
        "Thanks for the 👍.",
        "You had already given this a 👍.",
        "Changed your vote to 👎.",
        "You had already given this a 👎.",
    ]


async def test_forged_vote_ids_are_refused_and_never_listed(bot: BotProcess) -> None:
    standin, member = bot.standin, new_member(bot.standin)
    answer = await (
        await standin.send_slash_command("ask", {"question": "who plays ballard"}, member=member)
    ).response()
    assert answer.message is not None
    for forged in ("trivia:vote:down:no.such.fact", "trivia:vote:down:-1"):
        click = await standin.click_forged_button(answer.message, forged, member=member)
        refused = await click.response()
        assert refused.ephemeral and "not counted" in (refused.content or "")
    huge = await standin.click_forged_button(
        answer.message, "trivia:vote:down:" + "x" * 100_000, member=member
    )
    await asyncio.sleep(0.5)
    assert not huge.responded  # never matched a button of ours: nothing stored, nothing sent
    with sqlite3.connect(bot.data_dir / DATABASE_FILE) as db:  # one stored before the fix
        db.execute("INSERT INTO answer_vote VALUES (?, 'no.such.fact', 'old', -1, 0)", (GUILD_ID,))
    stats = await (await standin.send_slash_command("facts stats", member=ADMIN_ID)).response()
    listed = stats.embeds[0]["description"]
    assert "no.such.fact" not in listed and "-1 (" not in listed and "xxx" not in listed
    assert "Traceback" not in bot.log()


async def test_admins_see_unanswered_questions_and_stats(bot: BotProcess) -> None:
    standin, asker = bot.standin, new_member(bot.standin)
    for text in (
        "who plays the politicians sister",
        "who plays the sister?",
        "who plays the sister",
    ):
        said = await standin.send_message(f"{MENTION} {text}", author=asker)
        await said.reply()
    result = await standin.send_slash_command("facts unanswered", {"days": 1}, member=ADMIN_ID)
    await result.response()
    report = (await result.followup()).json or {}
    first = report["embeds"][0]["description"].splitlines()[0]
    count, grouped = first.split("× ", 1)
    assert int(count) >= 3 and grouped.startswith("who plays the sister")
    assert report["flags"] & 64  # ephemeral
    stats = await (await standin.send_slash_command("facts stats", member=ADMIN_ID)).response()
    text = stats.embeds[0]["description"]
    assert "Questions served:" in text and "p99" in text and "👍" in text
    for command in ("facts unanswered", "facts stats", "trivia forget"):
        with pytest.raises(CommandNotAvailableError):
            await standin.send_slash_command(command, member=MEMBER_ID)
        refused = await standin.send_slash_command(
            command, member=MEMBER_ID, bypass_permissions=True
        )
        assert "Manage Server" in ((await refused.response()).content or "")
    forget = await (await standin.send_slash_command("trivia forget", member=ADMIN_ID)).response()
    assert (forget.content or "").startswith("Forgotten:")
    result = await standin.send_slash_command("facts unanswered", member=ADMIN_ID)
    await result.response()
    assert "Nothing" in ((await result.followup()).json or {})["embeds"][0]["description"]


# Admin reload -------------------------------------------------------------------------------


async def test_reload_keeps_old_facts_on_error_and_takes_a_valid_edit(bot: BotProcess) -> None:
    standin, cast = bot.standin, bot.facts_dir / "cast.yaml"
    good = cast.read_text(encoding="utf-8")
    cast.write_text(good.replace("topic: cast", "topic: [cast", 1), encoding="utf-8")
    result = await standin.send_slash_command("facts reload", member=OWNER_ID)
    assert (await result.response()).type == 5  # deferred: loading can take a moment
    report = await result.followup()
    description = (report.json or {})["embeds"][0]["description"]
    assert (
        "cast.yaml:" in description
        and "Reload refused" in (report.json or {})["embeds"][0]["title"]
    )
    still = await standin.send_message(f"{MENTION} who plays ballard", author=new_member(standin))
    assert "Maggie Q plays" in reply_text(await still.reply())

    cast.write_text(good.replace("Maggie Q plays", "Maggie Q (of Nikita) plays", 1), "utf-8")
    result = await standin.send_slash_command("facts reload", member=OWNER_ID)
    await result.response()
    report = await result.followup()
    assert (report.json or {})["embeds"][0]["fields"][0]["name"] == "Edited (1)"
    edited = await standin.send_message(f"{MENTION} who plays ballard", author=new_member(standin))
    assert "Maggie Q (of Nikita) plays" in reply_text(await edited.reply())
    cast.write_text(good, "utf-8")


async def test_reload_is_refused_to_members_at_run_time(bot: BotProcess) -> None:
    result = await bot.standin.send_slash_command(
        "facts reload", member=MEMBER_ID, bypass_permissions=True
    )
    callback = await result.response()
    assert callback.ephemeral and "Manage Server" in (callback.content or "")


async def test_reload_is_the_owners_and_stats_show_a_server_its_own(bot: BotProcess) -> None:
    """Every server shares the fact base: one server's admin may not reload it for all."""
    result = await bot.standin.send_slash_command("facts reload", member=ADMIN_ID)
    refused = await result.response()
    assert refused.ephemeral and "owner" in (refused.content or "")
    admin = await (await bot.standin.send_slash_command("facts stats", member=ADMIN_ID)).response()
    assert [e["title"] for e in admin.embeds] == ["Trivia stats for this server"]
    assert "all servers" not in admin.embeds[0]["description"]
    owner = await (await bot.standin.send_slash_command("facts stats", member=OWNER_ID)).response()
    assert [e["title"] for e in owner.embeds] == [
        "Trivia stats for this server",
        "Trivia stats for all servers",
    ]
    assert "since start (all servers)" in owner.embeds[1]["description"]


async def test_sighup_reloads(bot: BotProcess) -> None:
    premise = bot.facts_dir / "premise.yaml"
    good = premise.read_text(encoding="utf-8")
    premise.write_text(good.replace("Los Angeles", "Los Angeles (LA)", 1), "utf-8")
    try:
        bot.process.send_signal(signal.SIGHUP)
        await until_logged(bot, "facts reloaded (SIGHUP)")
    finally:
        premise.write_text(good, "utf-8")


async def test_an_alias_bomb_and_odd_yaml_are_listed_and_the_old_facts_stay(
    bot: BotProcess,
) -> None:
    """The bomb expands to gigabytes if built; a bad date raised from the loader."""
    standin, logged_before = bot.standin, len(bot.log())
    bomb, odd = bot.facts_dir / "bomb.yaml", bot.facts_dir / "odd.yaml"
    shutil.copy(ALIAS_BOMB, bomb)
    odd.write_text("facts:\n  - id: odd.date\n    answer: 2024-02-30\n", encoding="utf-8")
    try:
        result = await standin.send_slash_command("facts reload", member=OWNER_ID)
        await result.response()
        embed = ((await result.followup(timeout=30)).json or {})["embeds"][0]
        assert "Reload refused" in embed["title"]
        assert f"{bomb}:3: yaml: aliases (*l0) are not allowed" in embed["description"]
        assert f"{odd}:3: facts[0].answer: a timestamp is not allowed" in embed["description"]
        still = await standin.send_message(
            f"{MENTION} who plays ballard", author=new_member(standin)
        )
        assert "Maggie Q plays" in reply_text(await still.reply())
        bot.process.send_signal(signal.SIGHUP)
        await until_logged(bot, "facts reload (SIGHUP) refused: 2 problem(s)")
    finally:
        bomb.unlink()
        odd.unlink()
    assert "Traceback" not in bot.log()[logged_before:]


# Connection ---------------------------------------------------------------------------------


async def test_a_dropped_connection_resumes_and_answers(bot: BotProcess) -> None:
    await bot.standin.drop_connection(resumable=True)
    await bot.standin.wait_until_resumed()
    message = await bot.standin.send_message(
        f"{MENTION} who plays ballard", author=new_member(bot.standin)
    )
    assert "Maggie Q" in reply_text(await message.reply())
    bot.standin.assert_clean()


# Restart ------------------------------------------------------------------------------------


async def test_a_restart_keeps_channels_and_does_not_sync_again(tmp_path: Path) -> None:
    async with DiscordStandIn(heartbeat_interval_ms=5000) as standin:
        facts, data = copy_facts(tmp_path), tmp_path / "data"
        first = await start_bot(standin, facts, data)
        listen = await standin.send_slash_command(
            "trivia listen", {"channel": GENERAL_CHANNEL_ID}, member=ADMIN_ID
        )
        await listen.response()
        suggested = await standin.send_slash_command(
            "ask", {"question": a_suggested_question()}, member=MEMBER_ID
        )
        offer = await suggested.response()
        answer = await (
            await standin.send_slash_command(
                "ask", {"question": "who made ballard"}, member=ADMIN_ID
            )
        ).response()
        assert answer.message is not None
        first_vote = await standin.click_button(
            answer.message, vote_buttons(answer)["up"], member=MEMBER_ID
        )
        await first_vote.response()
        assert await first.stop() == 0
        syncs = [r for r in standin.records if r.method == "PUT" and "commands" in r.path]
        assert len(syncs) == 1

        second = await start_bot(standin, facts, data)
        try:
            syncs = [r for r in standin.records if r.method == "PUT" and "commands" in r.path]
            assert len(syncs) == 1
            question = await standin.send_message("who plays ballard", author=MEMBER_ID)
            assert "Maggie Q" in reply_text(await question.reply())
            button = offer.components[0]["components"][0]["custom_id"]
            assert offer.message is not None
            click = await standin.click_button(offer.message, button, member=MEMBER_ID)
            assert (await click.response()).type == CALLBACK_UPDATE_MESSAGE
            assert answer.message is not None
            vote = await standin.click_button(
                answer.message, vote_buttons(answer)["down"], member=MEMBER_ID
            )
            assert (await vote.response()).content == "Changed your vote to 👎."
            assert standin.command("trivia", guild_id=None) is not None
        finally:
            await second.stop()
        assert GUILD_ID and standin.token not in first.log() + second.log()


async def served_in_guild(standin: DiscordStandIn) -> int:
    """The guild's "Questions served" figure from /facts stats."""
    stats = await (await standin.send_slash_command("facts stats", member=ADMIN_ID)).response()
    line = stats.embeds[0]["description"].splitlines()[1]
    assert line.startswith("Questions served: ")
    return int(line.removeprefix("Questions served: "))


async def test_free_text_over_the_limit_is_silent_and_not_even_counted(bot: BotProcess) -> None:
    user = new_member(bot.standin)
    served = await served_in_guild(bot.standin)
    for _ in range(5):
        asked = await bot.standin.send_message(f"{MENTION} who plays ballard", author=user)
        await asked.reply()
    for _ in range(3):
        over = await bot.standin.send_message(f"{MENTION} who plays the sister", author=user)
        await over.assert_no_reply(within=0.3)
    assert await served_in_guild(bot.standin) == served + 5  # matched, counted, kept: none


async def test_a_failing_command_tells_the_user_and_logs_the_detail(bot: BotProcess) -> None:
    standin = bot.standin
    standin.refuse_callbacks = (400, 50035, "Invalid Form Body")  # as a broken payload would be
    try:
        result = await standin.send_slash_command(
            "ask", {"question": "who plays ballard"}, member=new_member(standin)
        )
        for _ in range(50):  # the failure is logged, then telling the user fails too
            if f"could not tell the user about a failure (interaction {result.id})" in bot.log():
                break
            await asyncio.sleep(0.1)
    finally:
        standin.refuse_callbacks = None
    log = bot.log()
    assert f"command /ask failed (interaction {result.id})" in log
    assert "Traceback" in log and "Invalid Form Body" in log
    assert bot.process.returncode is None
    # The refusals this test provoked on purpose must not fail the module's clean check.
    standin.records[:] = [r for r in standin.records if str(result.id) not in r.path]


async def _lines_about(bot: BotProcess, interaction_id: int, since: int) -> list[str]:
    """The bot's log lines naming an interaction, once it has logged about it (and had a
    moment to try anything more)."""
    for _ in range(100):
        if str(interaction_id) in bot.log()[since:]:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    return [line for line in bot.log()[since:].splitlines() if str(interaction_id) in line]


async def test_an_interaction_past_its_window_costs_one_short_line(bot: BotProcess) -> None:
    """Already older than Discord's 3 s when it arrives (it waited in a queue): the bot drops
    it unanswered; one Discord refuses as unknown (10062) is not retried. Neither is a bug:
    one short line each, no traceback, no second callback."""
    standin = bot.standin
    since = len(bot.log())
    fresh = await standin.send_slash_command(
        "ask", {"question": "who plays ballard"}, member=new_member(standin)
    )
    assert (await fresh.response()).type == CALLBACK_CHANNEL_MESSAGE  # our clocks agree
    stale = await standin.send_slash_command(
        "ask", {"question": "who plays ballard"}, member=new_member(standin), age=4.0
    )
    stale_lines = await _lines_about(bot, stale.id, since)
    standin.interaction_deadline = 0.0  # Discord now refuses every callback: 404, 10062
    try:
        lost = [
            await standin.send_slash_command("ask", {"question": q}, member=new_member(standin))
            for q in ("who plays ballard", "what is the capital of france")  # answered; declined
        ]
        answered = await fresh.response()
        assert answered.message is not None
        vote = vote_buttons(answered)["up"]
        lost.append(await standin.click_button(answered.message, vote, member=new_member(standin)))
        lost_lines = [await _lines_about(bot, result.id, since) for result in lost]
    finally:
        standin.interaction_deadline = 3.0
    attempts = {
        r.id: [c for c in standin.records if c.route.endswith("/callback") and str(r.id) in c.path]
        for r in (stale, *lost)
    }
    assert attempts[stale.id] == []
    assert [len(attempts[r.id]) for r in lost] == [1, 1, 1]
    for lines in (stale_lines, *lost_lines):
        assert len(lines) == 1 and len(lines[0]) < 200, lines
    assert "Traceback" not in bot.log()[since:]
    assert bot.process.returncode is None
    standin.records[:] = [r for r in standin.records if all(str(x.id) not in r.path for x in lost)]


async def test_nothing_the_bot_sent_could_ping(bot: BotProcess) -> None:
    """Run last in this module: every message, callback and follow-up sent so far."""
    sent = [
        r
        for r in bot.standin.records
        if r.method in ("POST", "PATCH")
        and (
            r.path.endswith("/messages") or "/callback" in r.path or r.path.startswith("/webhooks")
        )
    ]
    assert len(sent) > 30
    for record in sent:
        payload = record.json or {}
        body = payload.get("data", payload) if "/callback" in record.path else payload
        if body and (body.get("content") or body.get("embeds")):
            assert no_pings(body), record


async def test_the_logged_invite_asks_for_channels_and_threads(bot: BotProcess) -> None:
    """View Channel and Send Messages in Threads, so private channels and threads work."""
    found = re.search(r"invite link: (\S+permissions=(\d+))", bot.log())
    assert found is not None
    permissions = discord.Permissions(int(found[2]))
    assert permissions.view_channel and permissions.send_messages_in_threads
    assert permissions.send_messages and permissions.embed_links
    assert permissions.read_message_history
    assert not (permissions.mention_everyone or permissions.administrator)
    assert f"permissions={permissions.value}" in (ROOT / "README.md").read_text(encoding="utf-8")
