"""Group chats and forum topics for the stand-in: what a support group needs.

A Group is a supergroup the bot is a member of (an administrator by default),
optionally a forum. People in it are the stand-in's users; they post through a
GroupMember (driver side). The bot may:

- getChat / getChatMember (is the group a forum; may the bot manage topics),
- createForumTopic (a forum only, and only with can_manage_topics: the service
  message it posts opens the thread, so message_thread_id is that message's id,
  as in Telegram; observers see it like any message the bot sends),
- sendMessage / sendPhoto / sendDocument with message_thread_id (an unknown
  thread is refused) and replies, through the server's own send path.

Messages in a topic carry message_thread_id and is_topic_message. The server
keeps a group's messages like a private chat's (`server.messages[group.id]`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import events
from .driver import ChatUser, Reply
from .errors import bad_request
from .params import Params

if TYPE_CHECKING:
    from .server import BotApiServer
    from .state import User

_group_ids = itertools.count(1_001_000_000_001)
ADMIN_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories",
)


@dataclass
class Group:
    id: int  # negative, -100...: a supergroup
    title: str
    is_forum: bool = False
    bot_is_admin: bool = True
    bot_can_manage_topics: bool = True
    member_ids: set[int] = field(default_factory=set)
    topics: dict[int, str] = field(default_factory=dict)  # message_thread_id -> name
    # What the server's send path asks of a chat it writes to.
    has_started: bool = True
    is_blocked: bool = False

    def chat_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "supergroup", "title": self.title}
        if self.is_forum:
            data["is_forum"] = True
        return data


def add_group(server: BotApiServer, title: str, *, is_forum: bool = False, bot_is_admin: bool = True,
              bot_can_manage_topics: bool = True, group_id: int | None = None) -> Group:
    """A supergroup with the bot in it; `group_id` fixes its (negative) id."""
    group = Group(id=group_id if group_id is not None else -next(_group_ids), title=title, is_forum=is_forum, bot_is_admin=bot_is_admin,
                  bot_can_manage_topics=bot_can_manage_topics and bot_is_admin)
    server.groups[group.id] = group
    server.messages[group.id] = {}
    return group


def thread_of(server: BotApiServer, chat: Any, params: Params) -> dict[str, Any]:
    """The thread fields of a message the bot sends to `chat` (none outside a forum topic)."""
    thread_id = params.int("message_thread_id")
    if not isinstance(chat, Group) or not thread_id:
        return {}
    if not chat.is_forum or thread_id not in chat.topics:
        raise bad_request("message thread not found")
    return {"message_thread_id": thread_id, "is_topic_message": True}


def api_methods(server: BotApiServer) -> dict[str, Any]:
    """The Bot API methods only groups have, by lower-case name (the server merges them)."""

    def group_of(params: Params) -> Group:
        chat = server._chat(params)  # noqa: SLF001 - the server's own chat look-up
        if not isinstance(chat, Group):
            raise bad_request("method is available for supergroup and channel chats only")
        return chat

    async def create_forum_topic(params: Params) -> dict[str, Any]:
        group = group_of(params)
        name = params.str("name") or ""
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_NAME_INVALID")
        if not group.is_forum:
            raise bad_request("the chat is not a forum")
        if not group.bot_can_manage_topics:
            raise bad_request("not enough rights to create a topic")
        message = server._add_message(  # noqa: SLF001
            group, is_from_bot=True, forum_topic_created={"name": name, "icon_color": 7322096},
        )
        message.message_thread_id = message.message_id
        message.is_topic_message = True
        group.topics[message.message_id] = name
        server._publish(events.MESSAGE_SENT, group.id, message=message)  # noqa: SLF001 - the service message, shown
        return {"message_thread_id": message.message_id, "name": name, "icon_color": 7322096}

    async def get_chat_member(params: Params) -> dict[str, Any]:
        chat = server._chat(params)  # noqa: SLF001
        user_id = params.int("user_id")
        if user_id == server.bot_id:
            if isinstance(chat, Group) and chat.bot_is_admin:
                rights = dict.fromkeys(ADMIN_RIGHTS, False) | {"can_manage_chat": True,
                                                               "can_delete_messages": True}
                return {"status": "administrator", "user": server.bot_user, **rights,
                        "can_manage_topics": chat.bot_can_manage_topics}
            return {"status": "member", "user": server.bot_user}
        user = server.users.get(user_id or 0)
        if user is None or (isinstance(chat, Group) and user.id not in chat.member_ids):
            raise bad_request("user not found")
        return {"status": "member", "user": user.to_api()}

    return {"createforumtopic": create_forum_topic, "getchatmember": get_chat_member}


class GroupMember(ChatUser):
    """A person writing in a group: in its General chat, in a topic, or as a reply."""

    def __init__(self, server: BotApiServer, user: User, group: Group) -> None:
        super().__init__(server, user, think_time_s=0)
        self.group = group
        group.member_ids.add(user.id)

    @property
    def chat_id(self) -> int:
        return self.group.id

    async def send(self, text: str, *, thread_id: int | None = None, reply_to: int | None = None,
                   update_id: int | None = None) -> Reply:  # type: ignore[override]
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):  # a bot_command entity, as Telegram adds
            command = text.split(maxsplit=1)[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(command.encode("utf-16-le", "surrogatepass")) // 2}]
        return await self._post(update_id, thread_id, reply_to, **fields)

    async def send_photo(self, data: bytes, *, caption: str | None = None, thread_id: int | None = None,
                         reply_to: int | None = None) -> Reply:  # type: ignore[override]
        stored = self.server.store_file(data, kind="photo", mime_type="image/png")
        from .api_files import _photo_size

        return await self._post(None, thread_id, reply_to, photo=[_photo_size(stored)], caption=caption)

    async def _post(self, update_id: int | None, thread_id: int | None, reply_to: int | None,
                    **fields: Any) -> Reply:
        chat = self.server.messages[self.group.id]
        if thread_id is not None:
            fields.update(message_thread_id=thread_id, is_topic_message=True)
        # The server's helper numbers the message in the group; the sender is this person.
        message = self.server._add_message(self.group, is_from_bot=True, **fields)  # noqa: SLF001
        message.is_from_bot = False
        message.sender = self.user.to_api()
        body = message.to_api()
        if reply_to is not None and reply_to in chat:
            message.reply_to_message_id = reply_to
            body["reply_to_message"] = chat[reply_to].to_api()
        return await self._step({"message": body}, update_id, think=False)

    def messages_in(self, thread_id: int | None = None) -> list:
        """The group's messages (of one topic), oldest first."""
        return [m for m in self.server.messages[self.group.id].values()
                if not m.is_deleted and (thread_id is None or m.message_thread_id == thread_id)]


def member(server: BotApiServer, group: Group, person: ChatUser) -> GroupMember:
    """`person` (a stand-in user) as a member of `group`."""
    return GroupMember(server, person.user, group)
