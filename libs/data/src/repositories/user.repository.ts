import { UserEntity } from '../entities';
import type { Database } from '../database';

/** Users table access. Quota changes are atomic conditional UPDATEs, never load-and-save. */
export class UserRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(UserEntity);
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByAccessToken(accessToken: string): Promise<UserEntity | null> {
    if (!accessToken) return Promise.resolve(null);
    return this.repo.findOneBy({ accessToken });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ username });
  }
}
