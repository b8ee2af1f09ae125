import { graphql } from '../../gql';

export const MessageFields = graphql(`
  fragment MessageFields on Message {
    id
    conversationId
    author
    authorName
    text
    createdAt
  }
`);

/** Every change to the workspace's conversations; the list and the open conversation follow it. */
export const ConversationEvents = graphql(`
  subscription ConversationEvents {
    conversationEvents {
      kind
      conversation {
        id
        status
        closedAt
        lastMessageAt
      }
      message {
        ...MessageFields
      }
    }
  }
`);

export type { MessageFieldsFragment as Message } from '../../gql/graphql';
