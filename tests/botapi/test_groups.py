"""Group chats and forum topics in the stand-in, as the Bot API answers them."""

from __future__ import annotations

from sandbox.botapi.groups import add_group


async def test_a_forum_topic_is_opened_and_messages_carry_its_thread(api, server):
    group = add_group(server, "Support", is_forum=True)
    chat = await api.ok("getChat", chat_id=group.id)
    assert (chat["type"], chat["is_forum"]) == ("supergroup", True)
    me = await api.ok("getChatMember", chat_id=group.id, user_id=server.bot_id)
    assert (me["status"], me["can_manage_topics"]) == ("administrator", True)
    topic = await api.ok("createForumTopic", chat_id=group.id, name="#1 Alice")
    thread_id = topic["message_thread_id"]
    sent = await api.ok("sendMessage", chat_id=group.id, text="hello", message_thread_id=thread_id)
    assert (sent["message_thread_id"], sent["is_topic_message"]) == (thread_id, True)
    reply = await api.ok("sendMessage", chat_id=group.id, text="re", reply_parameters={"message_id": sent["message_id"]})
    assert "message_thread_id" not in reply and server.messages[group.id][reply["message_id"]].reply_to_message_id == sent["message_id"]


async def test_topics_are_refused_outside_a_forum_without_the_right_and_for_an_unknown_thread(api, server):
    plain = add_group(server, "Plain")
    status, body = await api("createForumTopic", chat_id=plain.id, name="x")
    assert (status, body["description"]) == (400, "Bad Request: the chat is not a forum")
    no_rights = add_group(server, "Forum", is_forum=True, bot_can_manage_topics=False)
    status, body = await api("createForumTopic", chat_id=no_rights.id, name="x")
    assert (status, body["description"]) == (400, "Bad Request: not enough rights to create a topic")
    forum = add_group(server, "Forum 2", is_forum=True)
    status, body = await api("sendMessage", chat_id=forum.id, text="x", message_thread_id=999)
    assert (status, body["description"]) == (400, "Bad Request: message thread not found")
