/// Text length limits and list sizes (PROTOCOL.md §4). Lengths count Unicode scalars.
package struct Limits: Sendable, Equatable {
    package var postText = 1000
    package var commentText = 500
    package var announcementText = 2000
    package var title = 200
    package var note = 500
    package var stream = 2000
    package var key = 128
    package var answer = 2000
    package var owner = 200
    package var pollQuestion = 300
    package var pollOption = 100

    package init() {}
}
