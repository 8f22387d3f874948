/** What an append answers: the entry's place in the log, its leaf hash (hex) and the tree it is in. */
export interface Receipt {
  readonly seq: number;
  readonly leafHash: string;
  readonly treeSize: number;
}
